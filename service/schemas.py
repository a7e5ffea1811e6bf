"""Request and response bodies of the HTTP API."""

from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, create_model, model_validator
from pydantic_core import PydanticCustomError

from rhetoric.bundle import ModelCard
from rhetoric.labels import Label

Probability = Annotated[float, Field(ge=0.0, le=1.0)]


class ClassifyRequest(BaseModel):
    """One quote in `text`, or several in `texts`; exactly one of the two."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"text": "The puppet warmongers will pay dearly for their reckless provocation."},
                {"texts": ["We sincerely thank you for your warm support.", "Talks ended on Friday."]},
            ]
        },
    )

    text: str | None = None
    texts: list[str] | None = None
    explain: bool = Field(default=False, description="add each label's strongest features to every result")

    @model_validator(mode="after")
    def _exactly_one_of_text_and_texts(self) -> Self:
        if (self.text is None) == (self.texts is None):
            raise ValueError("give exactly one of 'text' (a string) or 'texts' (a list of strings)")
        if self.texts is not None and not self.texts:
            raise ValueError("'texts' is empty; give at least one text")
        return self

    def all_texts(self) -> list[str]:
        return [self.text] if self.text is not None else list(self.texts or [])


def _not_blank(text: str) -> str:
    if not text.strip():
        raise PydanticCustomError("blank_text", "text is empty or whitespace only")
    return text


def bounded_text(max_chars: int, what: str) -> Any:
    """A required, non-blank string of at most max_chars characters, with that limit in the schema."""
    return Annotated[
        str,
        StringConstraints(min_length=1, max_length=max_chars),
        AfterValidator(_not_blank),
        Field(description=f"{what} of at most {max_chars} characters, not blank"),
    ]


def classify_request_model(max_texts: int, max_text_chars: int) -> type[ClassifyRequest]:
    """The request model with this deployment's limits, so validation and OpenAPI both show them."""
    quote = bounded_text(max_text_chars, "a quote")
    model: type[ClassifyRequest] = create_model(
        "ClassifyRequest",
        __base__=ClassifyRequest,
        text=(quote | None, None),
        texts=(
            list[quote] | None,  # type: ignore[valid-type]  # the item type is built from the settings
            Field(default=None, max_length=max_texts, description=f"at most {max_texts} quotes"),
        ),
    )
    return model


class ModelRef(BaseModel):
    name: str
    version: str


class LabelScores(BaseModel):
    gratitude: Probability
    hostility: Probability
    self_reliance: Probability


class EvidenceOut(BaseModel):
    feature: str = Field(
        description='a word n-gram, a word whose character n-grams are summed, or two nearby words ("a|b")'
    )
    kind: Literal["ngram", "word", "pair"]
    contribution: float = Field(description="exact share of the label's logit")
    spans: list[tuple[int, int]] = Field(description="[start, end) character offsets where the feature occurs")


class LabelExplanationOut(BaseModel):
    intercept: float
    logit: float = Field(description="intercept plus every feature's contribution")
    up: list[EvidenceOut] = Field(description="features that raised the score most")
    down: list[EvidenceOut] = Field(description="features that lowered the score most")


class Explanation(BaseModel):
    gratitude: LabelExplanationOut
    hostility: LabelExplanationOut
    self_reliance: LabelExplanationOut


class ClassifyResult(BaseModel):
    labels: list[Label] = Field(description="labels whose score reached the model's threshold; empty = neutral")
    scores: LabelScores
    explanation: Explanation | None = Field(default=None, description="present when the request set explain")


class ClassifyResponse(BaseModel):
    model: ModelRef
    results: list[ClassifyResult]


class ErrorItem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ErrorResponse(BaseModel):
    detail: str = Field(description="what is wrong, in one sentence")
    errors: list[ErrorItem] = Field(default_factory=list)


class Health(BaseModel):
    status: str


class ReloadResult(BaseModel):
    previous: ModelRef | None
    serving: ModelRef


class Readiness(BaseModel):
    status: str
    model: ModelRef | None = None
    reason: str | None = None


ModelCardResponse = ModelCard


def error_responses(descriptions: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI responses: each status answers with an ErrorResponse described as given."""
    return {code: {"model": ErrorResponse, "description": description} for code, description in descriptions.items()}


ERROR_RESPONSES = error_responses(
    {
        400: "body is not valid UTF-8 JSON",
        413: "body larger than the configured limit",
        415: "content type is not application/json",
        422: "body does not match the schema or breaks a limit",
        503: "no verified model is loaded",
    }
)


class AnalyzeRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "text": 'Kim Jong Un thanked Putin for the offer. "We will rebuild by ourselves," he said.',
                    "title": "Kim answers aid offer",
                    "source": "wire",
                    "published": "2024-08-03",
                }
            ]
        },
    )

    text: str
    title: str | None = Field(default=None, max_length=1_000)
    source: str | None = Field(default=None, max_length=200)
    published: date | None = None
    explain: bool = False


def analyze_request_model(max_article_chars: int) -> type[AnalyzeRequest]:
    article = bounded_text(max_article_chars, "the article")
    model: type[AnalyzeRequest] = create_model("AnalyzeRequest", __base__=AnalyzeRequest, text=(article, ...))
    return model


class TargetOut(BaseModel):
    label: Literal["gratitude", "hostility"]
    entity: str = Field(description="gazetteer id, e.g. united_states, south_korea, russia, leader")
    text: str
    start: int
    end: int


class UnitOut(BaseModel):
    text: str
    start: int = Field(description="text == article[start:end]")
    end: int
    kind: Literal["quote", "reported", "narration"]
    speaker: str | None
    labels: list[Label]
    scores: LabelScores
    targets: list[TargetOut]
    explanation: Explanation | None = None


class LabelShare(BaseModel):
    units: int
    share: float


class SpeakerTally(BaseModel):
    units: int
    gratitude: int
    hostility: int
    self_reliance: int


class Strongest(BaseModel):
    unit: int = Field(description="index into units")
    score: Probability


class Summary(BaseModel):
    units: int
    labels: dict[Label, LabelShare]
    by_speaker: dict[str, SpeakerTally]
    strongest: dict[Label, Strongest | None]


class AnalyzeResponse(BaseModel):
    model: ModelRef
    title: str | None
    source: str | None
    published: date | None
    units: list[UnitOut]
    summary: Summary


ADMIN_RESPONSES = error_responses(
    {
        401: "admin key missing",
        403: "admin key wrong, or admin endpoints disabled",
        409: "reload refused: the new bundle does not verify; the old one keeps serving",
    }
)


class FeedbackIn(BaseModel):
    """A correction: the quote and the labels it should have had."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "text": "The rehabilitation will proceed according to the already-established plan.",
                    "labels": ["self_reliance"],
                    "model_version": "2026.11.22-418916bb",
                    "annotator": "analyst-7",
                }
            ]
        },
    )

    text: str
    labels: list[Label] = Field(max_length=3, description="the correct labels; [] for neutral")
    model_version: str | None = Field(default=None, max_length=100, description="version that gave the scores")
    scores: LabelScores | None = None
    annotator: str | None = Field(default=None, max_length=100)

    @model_validator(mode="after")
    def _labels_once_each(self) -> Self:
        if len(set(self.labels)) != len(self.labels):
            raise ValueError("each label at most once")
        return self


def feedback_request_model(max_text_chars: int) -> type[FeedbackIn]:
    quote = bounded_text(max_text_chars, "the quote")
    model: type[FeedbackIn] = create_model("FeedbackIn", __base__=FeedbackIn, text=(quote, ...))
    return model


class FeedbackOut(BaseModel):
    id: int
    text: str
    labels: list[Label]
    model_version: str | None
    scores: LabelScores | None
    annotator: str | None
    created: datetime


class FeedbackPage(BaseModel):
    items: list[FeedbackOut]
    next_after: int | None = Field(description="pass as 'after' for the next page; null on the last page")
