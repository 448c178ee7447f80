# Pure helpers (no ORM): periods, rating, validation. Models gather
# recordsets, call these on plain values and write the results.
