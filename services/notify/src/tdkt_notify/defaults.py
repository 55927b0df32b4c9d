"""The routing rules and templates a new deployment starts with (seeded once; operators change them by API)."""

from __future__ import annotations

from tdkt_notify.domain.routing import Condition, Purpose, RecipientSource, RecipientSpec, Reminder, RoutingRule
from tdkt_notify.domain.templates import GENERIC, Template
from tdkt_shared.contract.notify import Channel
from tdkt_shared.contract.registry import FunctionalRole

REPORT_SUBMITTED = "tdkt.reporting.report.submitted.v1"
CONGRESS_SCHEDULED = "tdkt.reporting.congress.scheduled.v1"
NOMINATION_APPROVED = "tdkt.awards.nomination.approved.v1"
AWARD_GRANTED = "tdkt.awards.award.granted.v1"
REPORT_DUE_SOON = "tdkt.reporting.report.due_soon.v1"
REPORT_OVERDUE = "tdkt.reporting.report.overdue.v1"
PUBLICATION_REQUEST = "publication.request"
CONGRESS_UPCOMING = "congress.upcoming"
DAILY_DIGEST = "digest.daily"
NOMINATION_STATUS_CHANGED = "tdkt.awards.nomination.status_changed.v1"
CONSULTATION_OPENED = "consultation.opened"
CONSULTATION_CLOSING = "consultation.closing"
COUNCIL_SESSION_SOON = "council.session_soon"
CONSULTATION_STATUS = "PUBLIC_CONSULTATION"
"""The nomination status while its list is open for public comments (công khai lấy ý kiến, Law Art. 84(5))."""
COUNCIL_MEMBERSHIP = "council.membership"
COUNCIL_CONSTITUTED = "tdkt.registry.council.constituted.v1"
COUNCIL_MEMBERSHIP_CHANGED = "tdkt.registry.council.membership.changed.v1"
GRANT_REVIEW_REQUESTED = "tdkt.awards.grant.review_requested.v1"
DOCUMENT_ISSUED = "tdkt.awards.document.issued.v1"
DECISION_ISSUED = "decision.issued"

ALL_CHANNELS = [Channel.INBOX, Channel.EMAIL, Channel.WEBHOOK]


def _org(path: str) -> RecipientSpec:
    return RecipientSpec(source=RecipientSource.EVENT_ORGANIZATION, path=path)


def _source(source: RecipientSource, path: str) -> RecipientSpec:
    return RecipientSpec(source=source, path=path)


def _holder(role: FunctionalRole) -> RecipientSpec:
    return RecipientSpec(source=RecipientSource.ROLE_HOLDER, role=role)


def _to_the_press(
    rule_id: str, description: str, event_types: list[str], condition: Condition, template_key: str
) -> RoutingRule:
    """Đề nghị đăng tải: a publication request to every press body, on every channel, ahead of other rules."""
    return RoutingRule(
        id=rule_id,
        description=description,
        event_types=event_types,
        conditions=[condition],
        recipients=[_holder(FunctionalRole.PRESS_COMMUNICATION)],
        channels=ALL_CHANNELS,
        purpose=Purpose.PUBLICATION_REQUEST,
        template_key=template_key,
        priority=10,
    )


DEFAULT_RULES = [
    _to_the_press(
        "publicity",
        "Đề nghị cơ quan báo chí đăng tải: hồ sơ được thông qua, khen thưởng, đại hội thi đua",
        [NOMINATION_APPROVED, AWARD_GRANTED, CONGRESS_SCHEDULED],
        Condition(path="imported", none_of=["True"]),  # history loaded from records is not news
        PUBLICATION_REQUEST,
    ),
    RoutingRule(
        id="report-submitted",
        description="Báo cáo đã nộp: đơn vị nộp và cơ quan quản lý nhà nước về thi đua, khen thưởng",
        event_types=[REPORT_SUBMITTED],
        recipients=[_org("organization_id"), _holder(FunctionalRole.TDKT_STATE_MANAGEMENT)],
        channels=ALL_CHANNELS,
    ),
    RoutingRule(
        id="nomination-approved",
        description="Hồ sơ đề nghị được Hội đồng thông qua: đơn vị trình, đơn vị của người được đề nghị, Sở Nội vụ",
        event_types=[NOMINATION_APPROVED],
        recipients=[
            _org("submitting_organization_id"),
            _org("nominees.organization_id"),
            _holder(FunctionalRole.TDKT_STATE_MANAGEMENT),
        ],
        channels=ALL_CHANNELS,
    ),
    RoutingRule(
        id="congress-scheduled",
        description="Đại hội thi đua yêu nước / hội nghị: đơn vị tổ chức và các đơn vị được mời",
        event_types=[CONGRESS_SCHEDULED],
        recipients=[_org("organizer_id"), _org("invited_organization_ids")],
        channels=ALL_CHANNELS,
    ),
    RoutingRule(
        id="congress-upcoming",
        description="Nhắc trước ngày đại hội / hội nghị (số ngày là tham số của quy tắc)",
        event_types=[CONGRESS_SCHEDULED],
        recipients=[_org("organizer_id"), _org("invited_organization_ids")],
        channels=[Channel.INBOX, Channel.EMAIL],
        template_key=CONGRESS_UPCOMING,
        reminder=Reminder(date_path="held_on", days_before=7),
    ),
    RoutingRule(
        id="report-submitted-cluster-leader",
        description="Báo cáo đã nộp: trưởng cụm, khối thi đua của đơn vị nộp (để theo dõi, tổng hợp)",
        event_types=[REPORT_SUBMITTED],
        recipients=[_source(RecipientSource.CLUSTER_LEADER, "organization_id")],
        channels=[Channel.INBOX, Channel.EMAIL],
    ),
    RoutingRule(
        id="council-membership",
        description="Thành lập, kiện toàn Hội đồng Thi đua – Khen thưởng: các thành viên Hội đồng",
        event_types=[COUNCIL_CONSTITUTED, COUNCIL_MEMBERSHIP_CHANGED],
        recipients=[_source(RecipientSource.COUNCIL_MEMBERS, "council_id")],
        channels=[Channel.INBOX, Channel.EMAIL],
        template_key=COUNCIL_MEMBERSHIP,
    ),
    _to_the_press(
        "consultation-publicity",
        "Đề nghị cơ quan báo chí đăng tải danh sách lấy ý kiến Nhân dân (Luật TĐKT, Điều 84 khoản 5)",
        [NOMINATION_STATUS_CHANGED],
        Condition(path="to_status", any_of=[CONSULTATION_STATUS]),
        CONSULTATION_OPENED,
    ),
    RoutingRule(
        id="consultation-closing",
        description="Nhắc trước ngày kết thúc lấy ý kiến Nhân dân: Ban Thi đua – Khen thưởng và đơn vị "
        "(số ngày là tham số)",
        event_types=[NOMINATION_STATUS_CHANGED],
        conditions=[Condition(path="to_status", any_of=[CONSULTATION_STATUS])],
        recipients=[_org("organization_id"), _holder(FunctionalRole.TDKT_STATE_MANAGEMENT)],
        channels=[Channel.INBOX, Channel.EMAIL],
        template_key=CONSULTATION_CLOSING,
        reminder=Reminder(date_path="consultation_until", days_before=2),
    ),
    RoutingRule(
        id="council-session-approaching",
        description="Nhắc trước phiên họp Hội đồng Thi đua – Khen thưởng: cơ quan thường trực và Ban Thi đua – Khen "
        "thưởng (số ngày là tham số)",
        event_types=[NOMINATION_STATUS_CHANGED],
        conditions=[Condition(path="to_status", any_of=["COUNCIL_REVIEW"])],
        recipients=[
            _holder(FunctionalRole.COUNCIL_STANDING_BODY),
            _holder(FunctionalRole.TDKT_STATE_MANAGEMENT),
        ],
        channels=[Channel.INBOX, Channel.EMAIL],
        template_key=COUNCIL_SESSION_SOON,
        reminder=Reminder(date_path="council_session_on", days_before=3),
    ),
    RoutingRule(
        id="grant-review-requested",
        description="Khen thưởng đã quyết định dựa trên một khen thưởng nay bị hủy bỏ: đề nghị cấp có thẩm quyền "
        "quyết định xem xét (nơi đăng ký giữ vai trò đó; nếu chưa có, cơ quan quản lý nhà nước về thi đua, khen "
        "thưởng, nơi trình cấp quyết định), báo đơn vị đề nghị",
        event_types=[GRANT_REVIEW_REQUESTED],
        recipients=[
            RecipientSpec(
                source=RecipientSource.DECIDING_AUTHORITY,
                path="deciding_authority",
                role=FunctionalRole.TDKT_STATE_MANAGEMENT,
            ),
            _org("submitting_organization_id"),
        ],
        channels=ALL_CHANNELS,
        template_key=GRANT_REVIEW_REQUESTED,
        priority=10,
    ),
    RoutingRule(
        id="decision-issued",
        description="Quyết định khen thưởng đã ban hành: gửi kèm bản PDF tới đơn vị trình, đơn vị của người được "
        "khen thưởng và Sở Nội vụ",
        event_types=[DOCUMENT_ISSUED],
        conditions=[Condition(path="kind", any_of=["DECISION"])],
        recipients=[_org("organization_ids"), _holder(FunctionalRole.TDKT_STATE_MANAGEMENT)],
        channels=[Channel.INBOX, Channel.EMAIL],
        template_key=DECISION_ISSUED,
    ),
    RoutingRule(
        id="report-reminders",
        description="Nhắc hạn báo cáo: sắp đến hạn, quá hạn",
        event_types=[REPORT_DUE_SOON, REPORT_OVERDUE],
        recipients=[_org("organization_id")],
        channels=[Channel.INBOX, Channel.EMAIL],
    ),
]

_SIGNATURE = "\n\n--\nHệ thống quản lý thi đua, khen thưởng"


def _both(key: str, subject: str, body: str) -> list[Template]:
    channels = (Channel.EMAIL, Channel.INBOX)
    return [Template(key=key, channel=c, subject=subject, body=body + _SIGNATURE) for c in channels]


DEFAULT_TEMPLATES = [
    *_both(
        GENERIC,
        "Thông báo mới từ hệ thống thi đua, khen thưởng",
        "Kính gửi {{ recipient.name or recipient.id }},\n\n"
        "Có sự kiện mới: {{ event.type }} ({{ event.subject or event.id }}).",
    ),
    *_both(
        REPORT_SUBMITTED,
        "Báo cáo kỳ {{ data.period }} đã được nộp",
        "Kính gửi {{ recipient.name or recipient.id }},\n\n"
        "Đơn vị {{ data.organization_id }} đã nộp báo cáo kỳ {{ data.period }} (lần {{ data.revision or 1 }}), "
        "hạn nộp ngày {{ data.due_date | ngay }}.",
    ),
    *_both(
        NOMINATION_APPROVED,
        "Hồ sơ đề nghị khen thưởng {{ data.nomination_id }} đã được Hội đồng thông qua",
        "Kính gửi {{ recipient.name or recipient.id }},\n\n"
        "Hội đồng Thi đua – Khen thưởng đã thông qua hồ sơ đề nghị {{ data.nomination_id }} "
        "({{ data.award_code }}) cho:\n"
        "{% for n in data.nominees %}- {{ n.name }}\n{% endfor %}",
    ),
    *_both(
        CONGRESS_SCHEDULED,
        "Thông báo tổ chức {{ data.title }} ngày {{ data.held_on | ngay }}",
        "Kính gửi {{ recipient.name or recipient.id }},\n\n"
        "{{ data.title }} sẽ được tổ chức ngày {{ data.held_on | ngay }}"
        "{% if data.venue %} tại {{ data.venue }}{% endif %}.",
    ),
    *_both(
        PUBLICATION_REQUEST,
        "Đề nghị đăng tải thông tin thi đua, khen thưởng",
        "Kính gửi {{ recipient.name or recipient.id }},\n\n"
        "Đề nghị quý cơ quan đăng tải thông tin sau trên báo chí, cổng thông tin điện tử:\n"
        "{% if data.title %}{{ data.title }} (ngày {{ data.held_on | ngay }}){% endif %}"
        "{% for n in data.nominees or [] %}- {{ n.name }}\n{% endfor %}",
    ),
    *_both(
        CONGRESS_UPCOMING,
        "Nhắc lịch: {{ data.title }} ngày {{ data.held_on | ngay }}",
        "Kính gửi {{ recipient.name or recipient.id }},\n\n"
        "Xin nhắc: {{ data.title }} sẽ diễn ra ngày {{ data.held_on | ngay }}"
        "{% if data.venue %} tại {{ data.venue }}{% endif %}.",
    ),
    *_both(
        CONSULTATION_OPENED,
        "Đề nghị đăng tải danh sách lấy ý kiến Nhân dân: hồ sơ {{ data.nomination_id }}",
        "Kính gửi {{ recipient.name or recipient.id }},\n\n"
        "Đề nghị quý cơ quan đăng tải để lấy ý kiến Nhân dân hồ sơ đề nghị khen thưởng {{ data.nomination_id }} "
        "({{ data.award_code }}) đến hết ngày {{ data.consultation_until | ngay }}. "
        "Ý kiến xin gửi về Ban Thi đua – Khen thưởng.",
    ),
    *_both(
        CONSULTATION_CLOSING,
        "Nhắc hạn: lấy ý kiến Nhân dân hồ sơ {{ data.nomination_id }} "
        "kết thúc ngày {{ data.consultation_until | ngay }}",
        "Kính gửi {{ recipient.name or recipient.id }},\n\n"
        "Thời gian lấy ý kiến Nhân dân đối với hồ sơ đề nghị khen thưởng {{ data.nomination_id }} "
        "({{ data.award_code }}) kết thúc ngày {{ data.consultation_until | ngay }}. "
        "Xin tổng hợp các ý kiến trước khi trình Hội đồng Thi đua – Khen thưởng.",
    ),
    *_both(
        COUNCIL_SESSION_SOON,
        "Nhắc lịch: phiên họp Hội đồng Thi đua – Khen thưởng ngày {{ data.council_session_on | ngay }}",
        "Kính gửi {{ recipient.name or recipient.id }},\n\n"
        "Hồ sơ đề nghị khen thưởng {{ data.nomination_id }} ({{ data.award_code }}) sẽ được xét tại phiên họp "
        "Hội đồng Thi đua – Khen thưởng ngày {{ data.council_session_on | ngay }}. "
        "Xin chuẩn bị tài liệu và phiếu bầu trước phiên họp.",
    ),
    *_both(
        COUNCIL_MEMBERSHIP,
        "Thông báo về thành phần Hội đồng Thi đua – Khen thưởng",
        "Kính gửi {{ recipient.name or recipient.id }},\n\n"
        "{% if data.name %}{{ data.name }} đã được thành lập, nhiệm kỳ từ ngày {{ data.term_from | ngay }}."
        "{% else %}Thành phần Hội đồng {{ data.council_id }} đã được kiện toàn.{% endif %} "
        "Ông/bà là thành viên Hội đồng.",
    ),
    *_both(
        GRANT_REVIEW_REQUESTED,
        "Đề nghị xem xét khen thưởng {{ data.award_code }} năm {{ data.year }} của {{ data.recipient_name }}",
        "Kính gửi {{ recipient.name or recipient.id }},\n\n"
        "Khen thưởng {{ data.award_code }} năm {{ data.year }} của {{ data.recipient_name }} "
        "(quyết định số {{ data.decision_number }}) được xét dựa trên khen thưởng {{ data.revoked_grant_id }}, "
        "nay đã bị hủy bỏ ({{ data.revocation_reason }}). Đề nghị cấp có thẩm quyền quyết định "
        "({{ data.deciding_authority }}) xem xét lại; hệ thống không tự hủy bỏ khen thưởng này.",
    ),
    *_both(
        DECISION_ISSUED,
        "Quyết định số {{ data.number }} ngày {{ data.issued_on | ngay }}: {{ data.title }}",
        "Kính gửi {{ recipient.name or recipient.id }},\n\n"
        "Quyết định số {{ data.number }} ngày {{ data.issued_on | ngay }} về hồ sơ đề nghị khen thưởng "
        "{{ data.nomination_id }} ({{ data.award_code }}) đã được ban hành. "
        "{% if data.pdf_base64 %}Bản PDF được gửi kèm thư này{% else %}Bản PDF tải tại {{ data.pdf_url }}{% endif %} "
        "(SHA-256: {{ data.pdf_sha256 }}).",
    ),
    *_both(
        REPORT_DUE_SOON,
        "Nhắc hạn: báo cáo kỳ {{ data.period }} sắp đến hạn",
        "Kính gửi {{ recipient.name or recipient.id }},\n\nBáo cáo kỳ {{ data.period }} cần nộp trước ngày "
        "{{ data.due_date | ngay }}.",
    ),
    *_both(
        REPORT_OVERDUE,
        "Báo cáo kỳ {{ data.period }} đã quá hạn",
        "Kính gửi {{ recipient.name or recipient.id }},\n\nBáo cáo kỳ {{ data.period }} đã quá hạn nộp "
        "(hạn ngày {{ data.due_date | ngay }}).",
    ),
]

DEFAULT_TEMPLATES.append(
    Template(
        key=DAILY_DIGEST,
        channel=Channel.EMAIL,
        subject="Tổng hợp {{ items | length }} thông báo thi đua, khen thưởng",
        body="Kính gửi {{ recipient.name or recipient.id }},\n\n"
        "{% for item in items %}{{ loop.index }}. {{ item.subject }}\n{{ item.body }}\n\n{% endfor %}",
    )
)

BUILTIN_FALLBACK = DEFAULT_TEMPLATES[0]
"""Used when even the generic template of a channel was removed from the store."""
