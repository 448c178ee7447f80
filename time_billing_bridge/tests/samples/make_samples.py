# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Write the sample uploads that the tests/test_provider_files_*.py tests read.

Run from anywhere: ``python tests/samples/make_samples.py``. The CSV files
are written byte for byte (encoding, BOM, separator and line endings are the
point of several of them); the workbook needs openpyxl.

The headers follow the exports described in PROVIDERS.md (§1.9 Harvest,
§2.7 Toggl Track, §3.6 Clockify) and in providers/files/formats.py (QuickBooks
Time, ClickUp, Hubstaff). People, clients and projects match the
fixtures of tests/common.py (Sam Senior, Jo Junior, Client A, Project A...)
where an importer test may want to use the file.
"""

import datetime as dt
from pathlib import Path

HERE = Path(__file__).resolve().parent

HARVEST = (
    "Date,Client,Project,Project Code,Task,Notes,Hours,Hours Rounded,Billable?,"
    "Invoiced?,First Name,Last Name,Employee Id,Roles,Teams,Employee?,"
    "Billable Rate,Billable Amount,Cost Rate,Cost Amount,Currency,"
    "External Reference URL\r\n"
    "2026-03-02,Client A,Project A,PA-01,Task A,"
    '"Homepage wireframes, second round",2.5,2.5,Yes,No,Sam,Senior,,Designer,'
    "Studio,Yes,150.0,375.0,80.0,200.0,Euro - EUR,\r\n"
    "2026-03-02,Client A,Project A,PA-01,Project Management,"
    "Weekly call with the client,0.75,0.75,Yes,Yes,Jo,Junior,,,Studio,Yes,"
    "90.0,67.5,50.0,37.5,Euro - EUR,\r\n"
    '2026-03-03,Client A,Project A,PA-01,Task A,"Checkout flow:\r\n'
    "- cart totals\r\n"
    '- coupon field",3.33,3.5,Yes,No,Sam,Senior,,Designer,Studio,Yes,150.0,'
    "499.5,80.0,266.4,Euro - EUR,https://example.atlassian.net/browse/PA-12\r\n"
    "2026-03-03,Client B,Project B,,Meetings,,1.0,1.0,No,No,Jo,Junior,,,Studio,"
    "Yes,0.0,0.0,50.0,50.0,Euro - EUR,\r\n"
    "2026-03-04,Client B,Project B,,Development,Import script for legacy orders,"
    "4.2,4.25,Yes,No,Ana,Núñez,E-1042,Developer,Platform,No,120.0,504.0,70.0,"
    "294.0,Euro - EUR,\r\n"
)

TOGGL = (
    "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,"
    "End date,End time,Duration,Tags,Amount (EUR)\n"
    "Sam Senior,sam@example.com,Client A,Project A,Task A,Logo variations,Yes,"
    "2026-03-02,09:00:00,2026-03-02,10:30:00,01:30:00,design,225.00\n"
    "Jo Junior,jo@example.com,Client A,Project A,,Bug triage,Yes,2026-03-02,"
    "13:15:00,2026-03-02,14:02:06,00:47:06,,70.65\n"
    "Jo Junior,jo@example.com,Client B,Project B,Development,"
    '"Night deploy, rollback plan",Yes,2026-03-03,23:30:00,2026-03-04,01:15:00,'
    '01:45:00,"deploy, ops",157.50\n'
    "Sam Senior,sam@example.com,,Internal,,Team lunch & learn,No,2026-03-04,"
    "12:00:00,2026-03-04,13:00:00,01:00:00,,0.00\n"
)

CLOCKIFY = (
    "Project,Client,Description,Task,User,Group,Email,Tags,Billable,Start Date,"
    "Start Time,End Date,End Time,Duration (h),Duration (decimal),"
    "Billable Rate (USD),Billable Amount (USD)\n"
    "Project A,Client A,Accessibility audit,QA,Sam Senior,Studio,sam@example.com,"
    ",Yes,03/06/2026,09:00:00 AM,03/06/2026,11:15:00 AM,02:15:00,2.25,150.00,"
    "337.50\n"
    "Project B,Client B,Mapping workshop,Analysis,Jo Junior,Studio,jo@example.com,"
    "workshop,Yes,03/09/2026,01:30:00 PM,03/09/2026,05:00:00 PM,03:30:00,3.50,"
    "90.00,315.00\n"
    "Internal,,Expense reports,,Jo Junior,,jo@example.com,,No,03/10/2026,"
    "04:00:00 PM,03/10/2026,04:20:00 PM,00:20:00,0.33,0.00,0.00\n"
)

# QuickBooks Time timesheet report: lower-case headers, ISO dates, local
# start and end as date and time, decimal hours, jobcode levels customer /
# job / sub-job (formats.py notes where the headers come from).
QBTIME = (
    "username,payroll_id,fname,lname,number,group,local_date,local_day,"
    "local_start_time,local_end_time,tz,hours,jobcode_1,jobcode_2,jobcode_3,"
    "billable,class,service item,location,notes,approved_status,has_flags,"
    "flag_types\r\n"
    "sam.senior,1001,Sam,Senior,0,Studio,2026-03-02,Mon,2026-03-02 09:00:00,"
    "2026-03-02 11:30:00,-8,2.50,Client A,Project A,Task A,yes,,,Office,"
    '"Wireframes, second round",approved,false,\r\n'
    "jo.junior,1002,Jo,Junior,0,Studio,2026-03-02,Mon,2026-03-02 13:00:00,"
    "2026-03-02 13:45:00,-8,0.75,Client A,Project A,,yes,,,,Weekly client call,"
    "unapproved,false,\r\n"
    "jo.junior,1002,Jo,Junior,0,Studio,2026-03-03,Tue,2026-03-03 22:30:00,"
    "2026-03-04 00:15:00,-8,1.75,Client B,Project B,,no,,,,Night deploy,"
    "approved,true,Edited\r\n"
)

# ClickUp time tracking export: US dates with AM/PM and a zone in "Start
# Text", milliseconds in "Time Tracked", "1 h 30 m" in "Time Tracked Text";
# every date could be day or month first.
CLICKUP = (
    "User ID,Username,Time Entry ID,Description,Billable,Time Labels,Start,"
    "Start Text,Stop,Stop Text,Time Tracked,Time Tracked Text,Space ID,"
    "Space Name,Folder ID,Folder Name,List ID,List Name,Task ID,Task Name,"
    "Task Status,Date Created Text,Custom Task ID,Parent Task ID\n"
    "81000000,Sam Senior,3902118741520318461,Logo variations,TRUE,,"
    '1772460000000,"03/02/2026, 9:00:00 AM EST",1772465400000,'
    '"03/02/2026, 10:30:00 AM EST",5400000,1 h 30 m,90001,Clients,90101,'
    "Client A,901201,Project A,86a1b2c3d,Task A,in progress,"
    '"02/27/2026, 4:12:00 PM EST",PA-12,\n'
    "81004141,Jo Junior,3902118741520318462,Bug triage,TRUE,,1772565300000,"
    '"03/03/2026, 2:15:00 PM EST",1772568000000,"03/03/2026, 3:00:00 PM EST",'
    "2700000,45 m,90001,Clients,90101,Client A,901201,Project A,86a1b2c3d,"
    'Task A,in progress,"02/27/2026, 4:12:00 PM EST",PA-12,\n'
    "81004141,Jo Junior,3902118741520318463,Release notes,FALSE,,"
    '1773172800000,"03/10/2026, 4:00:00 PM EDT",1773180000000,'
    '"03/10/2026, 6:00:00 PM EDT",7200000,2 h,90001,Clients,90102,Client B,'
    '901202,Project B,86a1b2c4e,Release 2.1,to do,"03/09/2026, 9:30:00 AM EDT",'
    ",\n"
)

# Hubstaff time & activity report: h:mm:ss time, activity percentages.
HUBSTAFF = (
    "Organization,Time zone,Member,Date,Project,Task ID,Task,Time,Activity,"
    "Earned,Currency,Notes\n"
    "Studio,Europe/Paris,Sam Senior,2026-03-02,Project A,4711,Task A,2:30:00,"
    "64%,0.00,EUR,Homepage wireframes\n"
    "Studio,Europe/Paris,Jo Junior,2026-03-03,Project A,,,0:45:00,51%,0.00,EUR,"
    "\n"
    "Studio,Europe/Paris,Jo Junior,2026-03-04,Project B,,,1:15:30,72%,0.00,EUR,"
    "Import checks\n"
)

# Harvest's older export header, from a German-locale spreadsheet: UTF-8 with
# BOM, semicolons, dd.mm.yyyy dates and decimal commas.
HARVEST_DE = (
    "Date;Client;Project;Project Code;Task;Notes;Hours;Billable?;Invoiced?;"
    "Approved?;First Name;Last Name;Department;Employee?\r\n"
    "26.01.2026;Müller GmbH;Relaunch;MUE-1;Konzeption;"
    "Workshop mit Kunde, Protokoll;7,5;Yes;No;Yes;Jürgen;Groß;Beratung;Yes\r\n"
    "27.01.2026;Müller GmbH;Relaunch;MUE-1;Entwicklung;API-Anbindung;0,25;Yes;"
    "Yes;Yes;Jürgen;Groß;Beratung;Yes\r\n"
    "28.01.2026;Weiß & Söhne KG;Shop;;Support;„Bestellung hängt“;10,75;No;No;No;"
    "Änne;Kühn;Support;No\r\n"
)

# A French spreadsheet saved by an old Excel: Latin-1, semicolons, dd/mm/yyyy,
# durations written every which way.
LATIN1_FR = (
    "Date;Employé;Courriel;Client;Projet;Tâche;Durée;Commentaire;Facturable\r\n"
    "02/03/2026;Hélène Dupré;helene@example.com;Client A;Project A;Task A;1:30;"
    "Réunion de lancement;oui\r\n"
    "13/03/2026;François Lefèvre;francois@example.com;Client A;Project A;;1,5;"
    "Révision des écrans;oui\r\n"
    "16/03/2026;Zoë Garçon;zoe@example.com;Client B;Project B;;2h15;"
    "Préparation du comité;non\r\n"
    "05/03/2026;Hélène Dupré;helene@example.com;Client B;Project B;;45 min;"
    "Appel à l'équipe;oui\r\n"
)

# A law firm's time export: tab-separated, US month/day/year dates.
TAB_US = (
    "Work Date\tTimekeeper\tE-mail\tClient\tMatter\tMatter Number\tActivity\t"
    "Narrative\tHours\tBillable\n"
    "03/05/2026\tSam Senior\tsam@example.com\tClient A\tProject A\t2026-0042\t"
    "Drafting\tDraft share purchase agreement, first pass\t2.4\tY\n"
    "03/17/2026\tJo Junior\tjo@example.com\tClient A\tProject A\t2026-0042\t"
    "Research\tResearch on warranty caps\t1.25\tY\n"
    "03/18/2026\tSam Senior\tsam@example.com\tClient B\tProject B\t2026-0051\t"
    "Call\tCall with opposing counsel\t0.3\tN\n"
)

EMPLOYEES = (("Sam Senior", "sam@example.com"), ("Jo Junior", "jo@example.com"))
PROJECTS = (
    ("Client A", "Project A", "Task A"),
    ("Client A", "Project A", ""),
    ("Client B", "Project B", ""),
)
TOPICS = (
    "Specification review",
    "Client workshop",
    "Bug fixing",
    "Code review",
    "Status meeting",
    "Data import checks",
    "Documentation",
)
#: Line (header = 1) -> what is wrong with it, in timesheet_100_rows_3_broken.
BROKEN_LINES = {37: "duration", 52: "date", 88: "user"}


def hundred_rows():
    """100 rows of a generic export (not a known format), 3 of them broken."""
    lines = ["Date,Employee,Email,Client,Project,Task,Description,Duration"]
    for index in range(100):
        line = index + 2
        day = dt.date(2026, 3, 1) + dt.timedelta(days=index % 31)
        name, email = EMPLOYEES[index % 2]
        client, project, task = PROJECTS[index % 3]
        minutes = 15 * (1 + (index * 7) % 16)
        date_text = day.strftime("%d/%m/%Y")
        duration = f"{minutes // 60}:{minutes % 60:02d}"
        description = f"{TOPICS[index % len(TOPICS)]} ({index + 1})"
        if BROKEN_LINES.get(line) == "duration":
            duration = "1h7x"
        elif BROKEN_LINES.get(line) == "date":
            date_text = "31/02/2026"
        elif BROKEN_LINES.get(line) == "user":
            name = email = ""
        cells = [date_text, name, email, client, project, task, description, duration]
        lines.append(",".join(cells))
    return "\r\n".join(lines) + "\r\n"


def write_xlsx(path):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Zeiten"
    sheet.append(
        [
            "Datum",
            "Mitarbeiter",
            "E-Mail",
            "Kunde",
            "Projekt",
            "Aufgabe",
            "Beschreibung",
            "Stunden",
            "Abrechenbar",
        ]
    )
    person = ("Jürgen Groß", "j.gross@example.com", "Müller GmbH", "Relaunch")
    sheet.append([dt.datetime(2026, 3, 2), *person, "Konzeption", "Sitemap", 7.5, "Ja"])
    # A date typed as a number and hours typed as a clock time (h:mm).
    sheet.append([46084, *person, "Konzeption", "Wireframes", dt.time(1, 30), True])
    sheet["A3"].number_format = "General"
    sheet["H3"].number_format = "h:mm"
    # Text cells: a German date and a decimal comma.
    sheet.append(["15.03.2026", *person, "Entwicklung", "Login", "2,25", "nein"])
    # A long duration formatted [h]:mm comes back as a date-time near 1900.
    sheet.append(
        [
            dt.date(2026, 3, 16),
            "Änne Kühn",
            "aenne@example.com",
            "Weiß & Söhne KG",
            "Shop",
            "Support",
            "Migration weekend",
            dt.timedelta(hours=26, minutes=15),
            "ja",
        ]
    )
    sheet["H5"].number_format = "[h]:mm"
    # Trailing rows that hold only formatting or blanks.
    sheet.cell(row=7, column=1).number_format = "0.00"
    sheet.cell(row=8, column=2, value="   ")
    notes = workbook.create_sheet("Notizen")
    notes.append(["Nur zur Info", "wird nicht importiert"])
    workbook.properties.creator = "time_billing_bridge samples"
    workbook.properties.created = dt.datetime(2026, 3, 20)
    workbook.save(path)


def main():
    samples = {
        "harvest_detailed_export.csv": HARVEST.encode("utf-8"),
        "toggl_detailed_report.csv": TOGGL.encode("utf-8-sig"),
        "clockify_detailed_report.csv": CLOCKIFY.encode("utf-8"),
        "harvest_de_semicolon_bom.csv": HARVEST_DE.encode("utf-8-sig"),
        "latin1_french.csv": LATIN1_FR.encode("latin-1"),
        "tab_separated_us.tsv": TAB_US.encode("utf-8"),
        "timesheet_100_rows_3_broken.csv": hundred_rows().encode("utf-8"),
        "qbtime_timesheet_report.csv": QBTIME.encode("utf-8"),
        "clickup_time_tracking.csv": CLICKUP.encode("utf-8"),
        "hubstaff_time_activity.csv": HUBSTAFF.encode("utf-8"),
    }
    for name, content in samples.items():
        (HERE / name).write_bytes(content)
    write_xlsx(HERE / "timesheet_de.xlsx")


if __name__ == "__main__":
    main()
