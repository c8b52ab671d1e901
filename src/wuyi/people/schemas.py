"""Schemas of the people API. Explicit fields only: never a model's, so the ID number's HMAC never leaves."""

import datetime as dt
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from wuyi.people.models import DeclarationStatus, PassKind, Relation
from wuyi.people.services import SYMPTOMS, DeclarationInput
from wuyi.places.models import HOUSEHOLD_CODE_LENGTH
from wuyi.places.schemas import Text

RelationName = Literal[tuple(Relation.values)]
SymptomName = Literal[SYMPTOMS]
StatusName = Literal[tuple(DeclarationStatus.values)]
HOUSEHOLD_CODE = rf"^\d{{{HOUSEHOLD_CODE_LENGTH}}}$"
MAX_TRAVEL_STOPS = 30


class TravelStop(Schema):
    place: Text = Field(..., max_length=100)
    from_: dt.date = Field(..., alias="from")
    to: dt.date | None = None


class DeclarationIn(Schema):
    """A self-declaration (自主申报), or a registration on someone's behalf."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "张三",
                    "id_number": "44030419900101002X",
                    "phone": "13800138000",
                    "household_code": "4403040010010010010101",
                    "relation": "owner",
                    "travel": [],
                    "symptoms": [],
                }
            ]
        }
    )

    name: Text = Field(..., min_length=1, max_length=60)
    id_number: Text = Field(..., max_length=30, description="18-digit resident ID number (GB 11643)")
    phone: Text = Field("", max_length=20, description="mobile number; empty for someone without a phone")
    household_code: str = Field(..., pattern=HOUSEHOLD_CODE)
    relation: RelationName = Relation.FAMILY.value
    travel: list[TravelStop] = Field(
        default_factory=list,
        max_length=MAX_TRAVEL_STOPS,
        description="where the person was in the last 14 days",
    )
    symptoms: list[SymptomName] = Field(default_factory=list, max_length=len(SYMPTOMS))

    def to_input(self) -> DeclarationInput:
        return DeclarationInput(
            name=self.name,
            id_number=self.id_number,
            phone=self.phone,
            household_code=self.household_code,
            relation=self.relation,
            symptoms=list(self.symptoms),
            travel=[
                {"place": s.place, "from": s.from_.isoformat(), "to": (s.to or s.from_).isoformat()}
                for s in self.travel
            ],
        )


class RejectIn(Schema):
    reason: Text = Field(..., min_length=1, max_length=200)


class PlaceRef(Schema):
    code: str
    name: str


class HouseholdRef(Schema):
    code: str
    room: str
    building: PlaceRef
    compound: PlaceRef


class DeclarationOut(Schema):
    id: int
    status: StatusName
    name: str = Field(..., description="masked, e.g. 张*")
    id_masked: str
    household: HouseholdRef
    relation: RelationName
    travel: list[dict]
    symptoms: list[str]
    on_behalf: bool
    reason: str
    created_at: dt.datetime
    reviewed_at: dt.datetime | None


class DeclarationDetail(DeclarationOut):
    """One declaration for the worker who verifies it: the full name, and what the roster says."""

    name: str
    phone: str = Field(..., description="in full for community workers, masked above them")
    roster: Literal["new", "match", "conflict"]
    person_id: int | None = Field(None, description="the person on the roster, when in the caller's area")


class DeclarationPage(Schema):
    count: int
    items: list[DeclarationOut]


class PassOut(Schema):
    id: int
    number: str
    kind: Literal[tuple(PassKind.values)]
    compound: PlaceRef
    person_id: int
    holder: str = Field(..., description="masked name")
    issued_at: dt.datetime
    valid_until: dt.date | None
    revoked_at: dt.datetime | None


class PassPage(Schema):
    count: int
    items: list[PassOut]


class PersonRow(Schema):
    id: int
    name: str = Field(..., description="masked")
    id_masked: str
    phone: str = Field(..., description="masked")
    birth_year: int | None
    sex: str
    verified: bool


class PersonPage(Schema):
    count: int
    items: list[PersonRow]


class MembershipOut(Schema):
    household: HouseholdRef
    relation: RelationName
    moved_in: dt.date | None
    moved_out: dt.date | None


class PersonOut(Schema):
    id: int
    name: str
    masked_name: str
    id_masked: str
    phone: str
    birth_year: int | None
    sex: str
    verified: bool


class PersonDetail(PersonOut):
    memberships: list[MembershipOut]
    passes: list[PassOut]
    declarations: list[DeclarationOut]


class Me(Schema):
    """The caller's own record: the person (null until a declaration of theirs is approved), homes, passes."""

    person: PersonOut | None
    memberships: list[MembershipOut]
    passes: list[PassOut]
    declarations: list[DeclarationOut]
