# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Column roles and known export formats (data, not code).

Read by :mod:`.tables` (separators, encodings) and :mod:`.columns` (roles,
recognised exports, header aliases, mapping options).
"""

#: What a column can mean, with the label the mapping wizard shows.
ROLES = {
    "external_id": "Entry ID",
    "date": "Date",
    "end_date": "End date",
    "start_time": "Start time",
    "end_time": "End time",
    "hours": "Hours (decimal or h:mm)",
    "duration": "Duration (h:mm:ss)",
    "user_ref": "User ID",
    "user_email": "User e-mail",
    "user_name": "User name",
    "user_first_name": "User first name",
    "user_last_name": "User last name",
    "client_name": "Client",
    "project_name": "Project",
    "project_code": "Project code",
    "task_name": "Task",
    "description": "Description",
    "billable": "Billable",
    "approved": "Approved",
    "invoiced": "Invoiced",
}

USER_ROLES = (
    "user_ref",
    "user_email",
    "user_name",
    "user_first_name",
    "user_last_name",
)

#: Exports recognised from their headers (PROVIDERS.md §1.9, §2.7, §3.6 for
#: the first three; the source of each later one is noted on it).
#: ``signature``: headers that must all be present, chosen so that no two
#: exports share one (a test holds them apart); ``columns``: role ->
#: candidate headers, the first one present in the file wins. Headers compare
#: case- and whitespace-insensitively. An export is recognised only when its
#: columns also name the person (see :func:`.columns.detect_format`).
#:
#: No profile, for want of a documented header set (the guide says so and
#: points to the saved column map): monday.com (a board export carries the
#: board's own column names and one total per item, no date per session),
#: Clio Manage (only the activities *import* template is documented, and it
#: mixes expenses with time), Replicon (each export layout is defined by the
#: customer in the Time Workbench) and BambooHR (only an hours import
#: template, without project or task, is documented).
KNOWN_FORMATS = {
    "harvest": {
        "label": "Harvest detailed time report",
        "signature": (
            "Date",
            "Project",
            "Notes",
            "Hours",
            "First Name",
            "Last Name",
        ),
        "columns": {
            "date": ("Date",),
            # "Hours Rounded" follows the Harvest account's rounding; the
            # contract applies its own, so the raw hours are imported.
            "hours": ("Hours",),
            "user_first_name": ("First Name",),
            "user_last_name": ("Last Name",),
            "client_name": ("Client",),
            "project_name": ("Project",),
            "project_code": ("Project Code",),
            "task_name": ("Task",),
            "description": ("Notes",),
            "billable": ("Billable?",),
            "approved": ("Approved?",),
            "invoiced": ("Invoiced?",),
        },
    },
    "toggl": {
        "label": "Toggl Track detailed report",
        "signature": ("User", "Description", "Start date", "Start time", "Duration"),
        "columns": {
            "date": ("Start date",),
            "start_time": ("Start time",),
            "end_date": ("End date", "Stop date"),
            "end_time": ("End time", "Stop time"),
            "duration": ("Duration",),
            "user_name": ("User",),
            "user_email": ("Email",),
            "client_name": ("Client",),
            "project_name": ("Project",),
            "task_name": ("Task",),
            "description": ("Description",),
            "billable": ("Billable",),
        },
    },
    "clockify": {
        "label": "Clockify detailed report",
        "signature": (
            "User",
            "Description",
            "Start Date",
            "Start Time",
            "Duration (h)",
        ),
        "columns": {
            "date": ("Start Date",),
            "start_time": ("Start Time",),
            "end_date": ("End Date",),
            "end_time": ("End Time",),
            # h:mm:ss is exact; the decimal column is rounded to 0.01 h.
            "hours": ("Duration (h)", "Duration (decimal)"),
            "user_name": ("User",),
            "user_email": ("Email",),
            "client_name": ("Client",),
            "project_name": ("Project",),
            "task_name": ("Task",),
            "description": ("Description",),
            "billable": ("Billable",),
        },
    },
    # QuickBooks Time (TSheets) timesheet report, CSV or Excel. Intuit
    # documents no column list; these lower-case headers are those of the
    # filed exports that two unrelated public projects read or reproduce
    # (one copies them "from the real files"). Medium confidence. jobcode_1
    # to jobcode_3 are the levels of the jobcode tree: customer, job, then
    # sub-job, as QuickBooks customers:jobs sync them; with one level of
    # jobcodes, change the columns once and save them. approved_status is
    # left in the payload: its values are not documented.
    "qbtime": {
        "label": "QuickBooks Time timesheet report",
        "signature": ("username", "fname", "lname", "local_date", "hours"),
        "columns": {
            "date": ("local_date",),
            "start_time": ("local_start_time",),
            "end_time": ("local_end_time",),
            "hours": ("hours",),
            "user_ref": ("username",),
            "user_first_name": ("fname",),
            "user_last_name": ("lname",),
            "client_name": ("jobcode_1",),
            "project_name": ("jobcode_2",),
            "task_name": ("jobcode_3",),
            "description": ("notes",),
            "billable": ("billable",),
        },
    },
    # ClickUp time tracking export (Timesheets / time reporting, CSV). ClickUp
    # documents no column list; several unrelated public scripts that bill
    # from this file read the same headers. Medium confidence. "Start Text"
    # is the start in the exporter's format ("11/06/2025, 9:08:00 AM EST");
    # "Time Tracked" is in milliseconds, so the readable "Time Tracked Text"
    # ("1 h 15 m", older files 1:15:00) gives the hours. The list is the
    # project, as for the ClickUp API (providers/clickup.py).
    "clickup": {
        "label": "ClickUp time tracking",
        "signature": ("Username", "Time Entry ID", "Start Text", "Time Tracked Text"),
        "columns": {
            "external_id": ("Time Entry ID",),
            "date": ("Start Text",),
            "hours": ("Time Tracked Text",),
            "user_ref": ("User ID",),
            "user_name": ("Username",),
            "project_name": ("List Name",),
            "task_name": ("Task Name",),
            "description": ("Description",),
            "billable": ("Billable",),
        },
    },
    # Hubstaff Time & activity report (CSV). Hubstaff documents no column
    # list; the signature is the header set a public importer checks these
    # files against, "Member" the person column a published description of
    # the team report names. Low confidence: a member's own report has no
    # Member column and goes through the column step. "Time" is h:mm:ss.
    "hubstaff": {
        "label": "Hubstaff time & activity report",
        "signature": (
            "Organization",
            "Time zone",
            "Date",
            "Project",
            "Time",
            "Activity",
        ),
        "columns": {
            "date": ("Date",),
            "hours": ("Time",),
            "user_name": ("Member",),
            "project_name": ("Project",),
            "task_name": ("Task",),
            "description": ("Notes",),
        },
    },
}

#: Header names (normalised by :func:`.columns._alias_key`: lower case, no
#: accents, no punctuation) that :func:`.columns.suggest_mapping` recognises,
#: in English and a few French, German, Spanish and Dutch variants. Checked
#: in this order.
# fmt: off
HEADER_ALIASES = {
    "external_id": (
        "id", "entry id", "time entry id", "external id", "reference", "ref", "uid",
    ),
    "date": (
        "date", "day", "spent date", "work date", "entry date", "datum", "fecha",
        "jour", "data", "start date", "date de debut", "fecha de inicio", "startdatum",
    ),
    "end_date": ("end date", "stop date", "date de fin", "enddatum", "fecha de fin"),
    "start_time": (
        "start time", "start", "from", "begin", "beginn", "startzeit", "heure de debut",
        "debut", "hora de inicio", "inicio",
    ),
    "end_time": (
        "end time", "stop time", "end", "stop", "to", "until", "ende", "endzeit",
        "heure de fin", "fin", "hora de fin",
    ),
    "hours": (
        "hours", "hour", "hrs", "time spent", "hours worked", "decimal hours",
        "duration decimal", "duration hours", "quantity", "qty", "stunden", "std",
        "arbeitszeit", "horas", "heures", "temps", "temps passe", "uren", "ore", "time",
    ),
    "duration": (
        "duration", "duration h", "dauer", "duree", "duracion", "tiempo", "duur",
    ),
    "user_ref": ("user id", "employee id", "employee number", "personalnummer"),
    "user_email": (
        "email", "e mail", "user email", "employee email", "mail", "email address",
        "e mail adresse", "courriel", "adresse e mail", "correo", "correo electronico",
    ),
    "user_name": (
        "user", "user name", "username", "employee", "employee name", "name", "member",
        "person", "staff", "consultant", "timekeeper", "resource", "mitarbeiter",
        "benutzer", "mitarbeitende", "employe", "utilisateur", "collaborateur",
        "empleado", "usuario", "medewerker",
    ),
    "user_first_name": ("first name", "firstname", "vorname", "prenom", "nombre"),
    "user_last_name": (
        "last name", "lastname", "surname", "nachname", "nom de famille", "apellido",
        "apellidos",
    ),
    "client_name": (
        "client", "customer", "client name", "customer name", "kunde", "auftraggeber",
        "cliente", "klant",
    ),
    "project_name": (
        "project", "project name", "matter", "engagement", "job", "projekt", "projet",
        "proyecto", "project naam",
    ),
    "project_code": (
        "project code", "project number", "matter number", "job number",
        "projektnummer", "code projet", "codigo de proyecto",
    ),
    "task_name": (
        "task", "task name", "activity", "service", "aufgabe", "tatigkeit",
        "taetigkeit", "tache", "activite", "tarea", "actividad", "taak",
    ),
    "description": (
        "description", "notes", "note", "comment", "comments", "details", "memo",
        "narrative", "work description", "beschreibung", "bemerkung", "kommentar",
        "notiz", "commentaire", "libelle", "descripcion", "comentario", "omschrijving",
    ),
    "billable": (
        "billable", "is billable", "chargeable", "abrechenbar", "fakturierbar",
        "facturable", "facturable oui non", "declarable",
    ),
    "approved": ("approved", "genehmigt", "approuve", "aprobado"),
    "invoiced": ("invoiced", "billed", "abgerechnet", "facture", "facturado"),
}
# fmt: on

DATE_FORMATS = ("auto", "dmy", "mdy")  # or any strptime pattern with a "%"
DECIMAL_SEPARATORS = ("auto", ",", ".")
HOURS_FORMATS = ("auto", "decimal", "hh:mm")
REPEATED_ROWS = ("error", "import")

DELIMITERS = (",", ";", "\t")
DELIMITER_LABELS = {",": "comma", ";": "semicolon", "\t": "tab"}
ENCODING_LABELS = {
    "utf-8-sig": "UTF-8 (with BOM)",
    "utf-8": "UTF-8",
    "utf-16": "UTF-16",
    "cp1252": "Windows-1252 / Latin-1",
    "latin-1": "Latin-1",
}
# Enough lines to judge the separator; the rest of the file is not needed.
SNIFF_SAMPLE = 64 * 1024
