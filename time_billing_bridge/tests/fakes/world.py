# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The fake organisation the fake APIs serve: people, clients, projects and
tasks, with plausible names."""

from dataclasses import dataclass, field

FIRST_NAMES = [
    "Alice",
    "Bruno",
    "Chloé",
    "Dmitri",
    "Emma",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kemi",
    "Lars",
]
LAST_NAMES = [
    "Martin",
    "Okafor",
    "Dubois",
    "Ivanov",
    "Smith",
    "Haddad",
    "Hopper",
    "Tanaka",
    "Silva",
    "Berg",
    "Adeyemi",
    "Nilsson",
]
CLIENT_NAMES = [
    "Acme Corp",
    "Globex",
    "Initech",
    "Umbrella Legal",
    "Stark Engineering",
    "Wayne Accounting",
]
PROJECT_NAMES = [
    "Website Redesign",
    "Annual Audit",
    "Mobile App",
    "Data Migration",
    "Contract Review",
    "ERP Rollout",
    "Brand Refresh",
    "Tax Filing",
]
TASK_NAMES = ["Design", "Development", "Meetings", "Research", "Review", "Support"]
TIME_ZONES = ["Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC"]
NOTES = [
    "Workshop with the client",
    "Fixed review comments",
    "Weekly status call",
    "Drafted the report",
    "Implementation",
    "",
]


@dataclass
class Person:
    id: object
    first_name: str
    last_name: str
    email: str
    timezone: str

    @property
    def name(self):
        return f"{self.first_name} {self.last_name}"


@dataclass
class Client:
    id: object
    name: str


@dataclass
class Project:
    id: object
    name: str
    code: str
    client: Client
    tasks: list = field(default_factory=list)


@dataclass
class Task:
    id: object
    name: str
