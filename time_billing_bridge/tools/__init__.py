# Plain helpers the models call: periods, rating, validation and approval
# work on plain values (no ORM); values compares a field with a value; guard
# marks the pipeline's own writes; planner refreshes PostgreSQL's row estimates
# during a long import; notify builds the notification a button returns.
