"""The run's ids and who plays each part (docs/authorization.md).

The registry's keeper seeds the registry, the TĐKT specialist of Sở Nội vụ runs movements, appraisals and decisions,
each unit's emulation officer opens and submits its own reports, registrations and nominations and reports its staff's
yearly assessments, the inspectorate keeps the cases and the provincial initiative council the initiatives, the
council's standing body sends dossiers to the council and a council member votes as themselves. Every id carries the
run id, so a run never collides with the seed or with an earlier run.
"""

from __future__ import annotations

from tdkt_demo.api import Who
from tdkt_shared.auth import Role

YEAR = 2024
ID_PREFIXES = {
    "province": "ubnd-tinh-bac-kan",
    "thai_nguyen": "ubnd-tinh-thai-nguyen",
    "home_affairs": "so-noi-vu",
    "press": "bao-bac-kan",
    "information": "so-tt-tt",
    "radio": "dai-pt-th-bac-kan",
    "finance": "so-tai-chinh",
    "health": "so-y-te",
    "cluster": "cum-cac-so",
    "bloc": "khoi-van-hoa-xa-hoi",
    "person": "nguyen-thi-lan",
    "council": "hd-tdkt-tinh",
    "movement": "ke-hoach-645",
    "criteria": "tieu-chi-cum",
    "congress": "dai-hoi-tdyn-vi",
    "reorganization": "sap-xep-2025",
    "eligible": "hoang-van-nam",
    "ineligible": "ly-thi-mai",
    "state_nominee": "dinh-van-hung",
    "hospital": "benh-vien-da-khoa-bac-kan",
    "inspectorate": "thanh-tra-tinh-bac-kan",
}


class Cast:
    """The ids of one run (steps add what later steps and the test read) and the people who act in it."""

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        self.ids = {name: f"{prefix}-{run_id}" for name, prefix in ID_PREFIXES.items()}
        self.webhook_secret = f"bi-mat-bao-bac-kan-{run_id}"
        i = self.ids
        self.registry_admin = Who(Role.REGISTRY_ADMIN, i["home_affairs"], "quan-tri-danh-muc")
        self.specialist = Who(Role.TDKT_SPECIALIST, i["home_affairs"], "chuyen-vien-tdkt")
        self.secretary = Who(Role.COUNCIL_SECRETARY, i["home_affairs"], "thuong-truc-hoi-dong")
        self.council_member = Who(Role.COUNCIL_MEMBER, i["province"], i["person"])  # votes as herself
        self.operator = Who(Role.ADMIN, i["home_affairs"], "van-hanh-thong-bao")  # notify's subscribers and secrets
        self.press_officer = Who(Role.PRESS_OFFICER, i["press"], "phong-vien-bao-bac-kan")
        self.inspector = Who(Role.INSPECTION_OFFICER, i["inspectorate"], "thanh-tra-vien")  # keeps the cases
        self.initiative_officer = Who(Role.INITIATIVE_OFFICER, i["province"], "hoi-dong-sang-kien")

    def officer(self, unit: str) -> Who:
        """The emulation officer (cán bộ TĐKT) of one unit."""
        return Who(Role.UNIT_OFFICER, unit, f"can-bo-tdkt-{unit}")
