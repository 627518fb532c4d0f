"""The error vocabulary: message texts shown to people, kept as constants that tests assert on.

A service raises :class:`ServiceError` with one of these messages; a view shows ``error.message``
as it is. Texts are plain language, say what happened and what to do next.
"""

from __future__ import annotations


class ServiceError(Exception):
    """A request that cannot be carried out, with a message fit to show the person who asked."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class AccessDenied(ServiceError):
    """The person may know the thing exists but may not do this to it (shown as 403)."""


# Places
POSTCODE_INVALID = "That doesn't look like a UK postcode. Try the first part, like BN2 or PL4."
POSTCODE_UNKNOWN = (
    "We don't know the postcode area {outward} in {city}. "
    "Check it, or leave it empty and add it later."
)

# Organisations
ORGANISATION_NOT_ACTIVE = "This organisation is waiting for the city team to approve it."
ROLE_CANNOT_RAISE_OWN = "You can't change your own role. Ask another owner."
ROLE_LAST_OWNER = "An organisation needs at least one owner. Make someone else an owner first."
INVITATION_INVALID = "This invitation link has expired or has already been used."
INVITATION_WRONG_ACCOUNT = (
    "This invitation was sent to a different email address. Sign in with that address, "
    "or add it to your account, then open the link again."
)
ALREADY_STAFF = "{email} is already a member of this organisation's staff."
ORGANISATION_REGISTER_ADULTS_ONLY = (
    "You need to be 18 or over to register an organisation. Ask an adult at your organisation "
    "to register it; they can then invite you to its staff."
)
ORGANISATION_OWNERS_ONLY = "Only the organisation's owners can do that."
ROLE_TOO_LOW = "Your role in this organisation doesn't allow that. Ask one of its owners."
ORGANISATION_CITY_ADMINS_ONLY = (
    "Only the city team can approve, suspend or reinstate organisations."
)
ORGANISATION_TRUST_NEEDS_ACTIVE = (
    "{name} isn't active, so it can't be trusted to publish. Approve or reinstate it first."
)
ORGANISATION_STATUS_CHANGE_INVALID = (
    "{name} is {status}, so that can't be done now. Reload the page to see its latest status."
)
ORGANISATION_SUSPEND_REASON_REQUIRED = (
    "Say why you are suspending this organisation. Its staff will see the reason."
)
ORGANISATION_AREA_NOT_IN_CITY = "Choose areas in {city} only."
ORGANISATION_LOGO_TOO_LARGE = "The logo must be smaller than {limit_mb} MB. Try a smaller image."
ORGANISATION_LOGO_FORMAT = "The logo must be a PNG, JPEG or WebP image."
ROLE_INVALID = "Choose one of the roles listed: owner, issuer, editor or viewer."
INVITATION_NOT_OPEN = "This invitation has already been accepted or withdrawn."
STAFF_MEMBER_GONE = (
    "That person is no longer on this organisation's staff. Reload the page to see who is."
)

# Accounts
GUARDIAN_CONSENT_NEEDED = (
    "Your account is waiting for your parent or carer to say yes. We've emailed them a link."
)
GUARDIAN_LINK_INVALID = "This consent link has expired or has already been used."
GUARDIAN_EMAIL_SAME_AS_CHILD = "Your parent or carer's email must be different from your own."
GUARDIAN_EMAIL_REQUIRED = "You're under 13, so we need a parent or carer's email address."
DATE_OF_BIRTH_FUTURE = "Your date of birth can't be in the future."
DATE_OF_BIRTH_TOO_YOUNG = "You need to be at least 8 years old to have an account."

# Area import
# A file-level problem stops the import before any row is read; row-level problems are all
# collected, each with its line and column, and nothing is written while there is one.
AREA_IMPORT_NOT_UTF8 = (
    "The file isn't UTF-8 text (the first problem is on this line). In a spreadsheet, save it as "
    "“CSV UTF-8 (comma delimited)” and import it again."
)
AREA_IMPORT_EMPTY = (
    "The file is empty. It needs a header row (code,name,kind,imd_decile,latitude,longitude) "
    "and then one row per area."
)
AREA_IMPORT_NO_ROWS = "The file has a header row but no areas under it."
AREA_IMPORT_TOO_LARGE = (
    "The file is larger than {limit_mb} MB. Split it into smaller files and import each one."
)
AREA_IMPORT_TOO_MANY_ROWS = (
    "The file has more than {limit:,} areas. Split it into smaller files and import each one."
)
AREA_IMPORT_NOT_CSV = "This line can't be read as CSV ({detail}). Check its quotes and commas."
AREA_IMPORT_COLUMN_MISSING = (
    "The header row has no “{column}” column. Every file needs: {required}."
)
AREA_IMPORT_COLUMN_UNKNOWN = (
    "“{column}” is not a column this import understands. Remove it, or rename it to one of: "
    "{known}."
)
AREA_IMPORT_COLUMN_UNNAMED = (
    "Column {position} has no name in the header row. Remove the empty column and import again."
)
AREA_IMPORT_COLUMN_REPEATED = "The header row has the “{column}” column more than once."
AREA_IMPORT_ROW_LENGTH = (
    "This row has {found} values but the header row has {expected}. Check for a stray comma "
    "or a missing quote."
)
AREA_IMPORT_VALUE_REQUIRED = "This is empty, but every area needs one."
AREA_IMPORT_VALUE_TOO_LONG = "This is {length} characters long; the most allowed is {limit}."
AREA_IMPORT_CODE_DUPLICATE = "The code {code} is already used on line {line}. List each area once."
AREA_IMPORT_KIND_UNKNOWN = "“{value}” is not a kind of area. Use ward or postcode_district."
AREA_IMPORT_DECILE_INVALID = (
    "“{value}” is not an IMD decile. Use a whole number from 1 (most deprived) to 10 "
    "(least deprived)."
)
AREA_IMPORT_COORDINATE_INVALID = "“{value}” is not a number. Use decimal degrees, like 50.82250."
AREA_IMPORT_LATITUDE_OUT_OF_RANGE = (
    "A latitude of {value} is outside the UK (49 to 61). Check that latitude and longitude "
    "are not swapped."
)
AREA_IMPORT_LONGITUDE_OUT_OF_RANGE = (
    "A longitude of {value} is outside the UK (-9 to 2.5). Check that latitude and longitude "
    "are not swapped, and that places west of Greenwich have a minus sign."
)
AREA_IMPORT_POPULATION_INVALID = (
    "“{value}” is not a number of people. Use a whole number of 0 or more, or leave it empty."
)
AREA_IMPORT_OUTWARD_CODE_INVALID = (
    "“{value}” is not an outward postcode. Use the first part of a postcode, like BN2 or PL4."
)
AREA_IMPORT_OUTWARD_CODE_DUPLICATE = (
    "The postcode district {outward} is already given to {code} on line {line}. "
    "A postcode district belongs to one area only."
)
AREA_IMPORT_CITY_UNKNOWN = "There is no city with the slug “{slug}”. Known cities: {known}."

# Awards
AWARD_ALREADY_HELD = "{email} already has this badge."
AWARD_ALREADY_REVOKED = "This badge has already been revoked."
AWARD_WITHDRAWN = (
    "This badge was withdrawn: the person who held it closed their account, and its signed "
    "credential was erased with their personal data."
)
AWARD_REVOKE_REASON_REQUIRED = "Say why you are revoking this badge. The learner will see it."
ENDORSEMENT_COMMENT_REQUIRED = "Say in a sentence or two why the city endorses this badge."
ENDORSEMENT_OTHER_CITY = "A city can only endorse badges of organisations in that city."

# Badge design
BADGE_IMAGE_TOO_LARGE = "The image must be smaller than {limit_kb} KB. Try a smaller file."
BADGE_IMAGE_FORMAT = "The image must be a PNG, JPEG or SVG file."
BADGE_IMAGE_UNREADABLE = "This image can't be read. It may be damaged: export it again and retry."
BADGE_IMAGE_TOO_MANY_PIXELS = (
    "The image is {width} × {height} pixels; the most allowed is {limit} × {limit}. "
    "Make it smaller and upload it again."
)
BADGE_SVG_NOT_SVG = "This file isn't an SVG image. Export it from your drawing app as SVG."
BADGE_SVG_ENTITIES = (
    "This SVG declares XML entities or a DTD, which we don't accept. Export it again as plain SVG."
)
BADGE_SVG_TOO_COMPLEX = (
    "This SVG has more than {limit:,} parts. Simplify it, or upload a PNG instead."
)
BADGE_UPLOAD_REQUIRED = "Choose an image to upload, or design the badge here instead."
BADGE_STATUS_CHANGE_INVALID = "{name} is {status}, so it can't be {action}."
SKILL_IMPORT_NOT_UTF8 = "The file isn't UTF-8 text. Save it as “CSV UTF-8” and import it again."
SKILL_IMPORT_COLUMN_MISSING = "The header row has no “{column}” column. Every file needs: name."
SKILL_IMPORT_NAME_REQUIRED = "This is empty, but every skill needs a name."
SKILL_IMPORT_NAME_DUPLICATE = "The skill {name} is already on line {line}. List each skill once."
SKILL_IMPORT_VALUE_TOO_LONG = "This is {length} characters long; the most allowed is {limit}."
SKILL_IMPORT_URL_INVALID = "“{value}” is not a web address. Use one starting with https://."
SKILL_IMPORT_NO_ROWS = "The file has no skills in it."

# Claims and delivery
CLAIM_CODE_INVALID = (
    "That isn't a claim code we know. Check it against the poster: codes use letters and "
    "numbers like 7KQM-3XPA, with no 0, O, 1, I or L."
)
CLAIM_CODE_EXPIRED = (
    "This claim code stopped working on {date}. Ask the organisation for a new one."
)
CLAIM_CODE_USED_UP = "This claim code has been used as many times as it can. Ask for a new one."
CLAIM_CODE_REVOKED = "This claim code has been switched off by the organisation."
CLAIM_CODE_ALREADY_CLAIMED = "You've already claimed this badge with this code."
CLAIM_BADGE_ALREADY_HELD = "You already have this badge, so there's nothing more to claim."
CLAIM_BADGE_ARCHIVED = "This badge is no longer given out, so its codes don't work any more."
CLAIM_CODE_ALREADY_REVOKED = "This claim code is already switched off."
CLAIM_CODE_EXPIRY_PAST = "Choose a date and time in the future."
CLAIM_LINK_INVALID = "This link is damaged or out of date. Ask the organisation to send it again."
DELIVERY_AWARD_REVOKED = "This badge has been revoked, so its email can't be sent again."

# Issuing
AWARD_BADGE_NOT_PUBLISHED = "{name} is not published yet, so it can't be awarded."
AWARD_EVIDENCE_URL_INVALID = "“{value}” is not a web address. Use one starting with https://."
BULK_ISSUE_NOT_UTF8 = "The file isn't UTF-8 text. Save it as “CSV UTF-8” and upload it again."
BULK_ISSUE_NOT_CSV = "The file can't be read as CSV ({detail}). Check its quotes and commas."
BULK_ISSUE_EMPTY = "The file is empty. It needs a header row (email,name,…) and one row per award."
BULK_ISSUE_NO_ROWS = "The file has a header row but no awards under it."
BULK_ISSUE_COLUMN_MISSING = "The header row has no “{column}” column. Every file needs: {required}."
BULK_ISSUE_TOO_MANY_ROWS = (
    "The file has more than {limit:,} rows. Split it into smaller files and upload each one."
)
BULK_ISSUE_EMAIL_INVALID = "“{value}” is not an email address."
BULK_ISSUE_DUPLICATE_ROW = "{email} already gets this badge on line {line}. List each person once."
BULK_ISSUE_ALREADY_AWARDED = "{email} already has this badge."
BULK_ISSUE_BADGE_UNKNOWN = (
    "“{value}” is not one of this organisation's published badges. Use its name or public id."
)
BULK_ISSUE_BADGE_MISSING = (
    "This row names no badge. Choose a badge on the form or fill the badge column."
)
BULK_ISSUE_DATE_INVALID = "“{value}” is not a date. Use the form 2026-03-31."
BULK_ISSUE_EXPIRY_BEFORE_ISSUE = "The expiry date must be after the issue date."
BULK_ISSUE_NOTHING_TO_ISSUE = "No row of this file can be issued. Fix the rows and upload it again."
BULK_ISSUE_ALREADY_CONFIRMED = "This bulk issue has already been confirmed."

# Endorsement requests
ENDORSEMENT_REQUEST_NOT_PUBLISHED = "Publish {name} before asking the city to endorse it."
ENDORSEMENT_REQUEST_PENDING = "The city is already looking at a request for {name}."
ENDORSEMENT_REQUEST_ALREADY_ENDORSED = "{name} is already endorsed by the city."
ENDORSEMENT_REQUEST_DECIDED = "This request has already been decided."
ENDORSEMENT_REQUEST_REASON_REQUIRED = "Say why, so the organisation knows what to change."

# Applications
APPLICATION_BADGE_NOT_PUBLISHED = "This badge isn't open for applications."
APPLICATION_ALREADY_HELD = "You already have this badge."
APPLICATION_ALREADY_PENDING = (
    "You already have an application for this badge waiting for a decision."
)
APPLICATION_TEXT_REQUIRED = "Tell the organisation what you did to earn this badge."
APPLICATION_LINK_INVALID = "Links must start with http:// or https://: {url}"
APPLICATION_FILE_TOO_LARGE = "{name} is larger than {limit_mb} MB. Upload a smaller file."
APPLICATION_FILE_TYPE = "{name} isn't a PDF, PNG or JPEG file."
APPLICATION_TOO_MANY_FILES = "You can attach up to {limit} files."
APPLICATION_NOT_PENDING = "This application has already been decided or withdrawn."
APPLICATION_OWN = "You can't decide your own application. Ask someone else on your staff."
APPLICATION_FEEDBACK_REQUIRED = "Say why, so the learner knows what to do next."
APPLICATION_NOT_YOURS = "Only the person who applied can withdraw this application."
APPLICATION_NEEDS_GUARDIAN_CONSENT = (
    "Your parent or carer needs to say yes before you can send an application. "
    "We've emailed them; you can send the email again from your home page."
)

# Booking and attendance (opportunities/booking.py, opportunities/checkin.py)
BOOKING_SIGN_IN = "Sign in to book a place."
BOOKING_NEEDS_GUARDIAN_CONSENT = (
    "Your parent or carer needs to say yes before you can book a place. "
    "We've emailed them; you can send the email again from your home page."
)
BOOKING_TOO_YOUNG = "This is for people aged {min_age} to {max_age}, so you can't book it yet."
BOOKING_TOO_OLD = "This is for people aged {min_age} to {max_age}, so you can't book it."
BOOKING_SESSION_STARTED = "This session has already started, so it can't be booked."
BOOKING_SESSION_CANCELLED = "This session has been cancelled, so it can't be booked."
BOOKING_NOT_HERE = "Places for this aren't booked on Learning City. See the details for how to go."
BOOKING_NO_BOOKING_NEEDED = "There's no need to book: just turn up."
BOOKING_ALREADY = "You already have a place (or a waitlist place) on this session."
BOOKING_FULL = "This session is full and has no waitlist."
BOOKING_ALREADY_CANCELLED = "This booking has already been cancelled."
BOOKING_CANCEL_TOO_LATE = "This session has already started, so the booking can't be cancelled."
BOOKING_CANCEL_CHECKED_IN = "You've been checked in to this session, so it can't be cancelled."
CHECK_IN_CODE_EMPTY = "Type or scan the learner's check-in code."
CHECK_IN_CODE_INVALID = "“{code}” isn't a check-in code. Codes are 8 letters and numbers."
CHECK_IN_CODE_UNKNOWN = "No one has the code {code}. Ask the learner to show it again."
CHECK_IN_SESSION_CANCELLED = "This session was cancelled, so no one can be checked in."
CHECK_IN_NOT_OPEN = "Check-in opens 24 hours before the session starts."
CHECK_IN_FULL = "{name} has no booking and the session is full."
CHECK_IN_WAITLISTED_FULL = "{name} is on the waitlist and the session is full."
CHECK_IN_AWARD_NEEDS_ISSUER = (
    "Checking in here awards a badge, so it needs the issuer or owner role. "
    "Ask one of the organisation's owners."
)

# Opportunities: publishing and moderation (issue 5)
OPPORTUNITY_EDITORS_ONLY = (
    "Only editors, issuers and owners can change opportunities. Ask one of the organisation's "
    "owners for a different role."
)
OPPORTUNITY_CITY_ADMINS_ONLY = "Only this city's team can review opportunities."
OPPORTUNITY_POSTCODE_REQUIRED = (
    "Give the venue's postcode, like BN2 4GL, so learners nearby can find it. If it happens "
    "only online, choose “Online” under How it happens."
)
OPPORTUNITY_POSTCODE_UNKNOWN = (
    "{postcode} isn't a postcode we know in {city}. Check it, or choose “Online” if the "
    "opportunity has no venue in {city}."
)
OPPORTUNITY_AGE_RANGE = "The youngest age must not be more than the oldest age."
OPPORTUNITY_BOOKING_URL_REQUIRED = (
    "Give the web address where people book, or choose another way to book."
)
OPPORTUNITY_BADGE_NOT_OURS = (
    "Link only your organisation's published badges. Publish a badge before linking it."
)
OPPORTUNITY_AWARD_NEEDS_BADGE = (
    "Link at least one badge to award badges at check-in, or untick this box."
)
OPPORTUNITY_TOPIC_NOT_IN_CITY = "Choose topics of {city} only."
OPPORTUNITY_SKILL_NOT_IN_CITY = "Choose skills of {city}'s frameworks only."
OPPORTUNITY_PARTNER_INVALID = (
    "Partners must be other active organisations in {city}. Your own organisation is already "
    "the provider."
)
OPPORTUNITY_ARCHIVED = "{title} is archived, so it can't be changed."
OPPORTUNITY_ORGANISATION_NOT_ACTIVE = (
    "{name} is waiting for the city team's approval, so its opportunities can't be published "
    "yet. Keep this one as a draft: you can submit it as soon as the organisation is approved."
)
OPPORTUNITY_STATUS_CHANGE_INVALID = (
    "{title} is {status}, so it can't be {action}. Reload the page to see its latest status."
)
OPPORTUNITY_SEND_BACK_REASON_REQUIRED = (
    "Say what needs to change. The organisation's staff will see your reason."
)
SESSION_END_BEFORE_START = (
    "The end time must be after the start time. A session ends on the day it starts."
)
SESSION_IN_THE_PAST = "{date} has already passed. Choose dates from today onwards."
SESSION_UNTIL_BEFORE_FIRST = "The last date must be on or after the first date."
SESSION_DATES_REQUIRED = "Give at least one date."
SESSION_DATE_UNREADABLE = "“{value}” isn't a date we can read. Write dates like 14/03/2027."
SESSIONS_TOO_MANY = (
    "That makes {count} sessions, but you can add up to {limit} at a time. Choose an earlier "
    "last date, or add them in parts."
)
SESSION_ALREADY_CANCELLED = "This session is already cancelled."
SESSION_ALREADY_ENDED = "This session has already ended, so it can't be cancelled."

# Opportunities: discovery (search, filters, the public page)
DISCOVERY_POSTCODE_UNKNOWN = (
    "We couldn't find the postcode {postcode} in {city}. Check it, or try its first part "
    "(like {example}) or the name of an area. The results below are not filtered by place."
)
DISCOVERY_PLACE_UNKNOWN = (
    "We couldn't find a place called “{place}” in {city}. Try a postcode, its first part "
    "(like {example}) or the name of an area. The results below are not filtered by place."
)
DISCOVERY_AGE_INVALID = "The age must be a whole number from 0 to 99, so it was left out."
DISCOVERY_DATE_INVALID = "“{value}” is not a date (use the form 2026-03-31), so it was left out."
DISCOVERY_DATES_REVERSED = "The “to” date was before the “from” date, so the two were swapped."
DISCOVERY_FILTER_UNKNOWN = (
    "Some of the filters in this link no longer exist, so they were left out."
)
DISCOVERY_NEAREST_NEEDS_PLACE = (
    "To sort by distance, give a postcode or an area. Showing the soonest first instead."
)
DISCOVERY_TEXT_TOO_LONG = "The search was cut to its first {limit} characters."

# Opportunities: publishing, pictures (issue 5)
OPPORTUNITY_IMAGE_FORMAT = "The picture must be a PNG or JPEG image."
OPPORTUNITY_IMAGE_ALT_REQUIRED = (
    "Describe the picture in a sentence, for people who can't see it (like “Young people "
    "building a robot”)."
)

# Backpack: importing badges from elsewhere (learners/backpack.py, issue 6)
BACKPACK_NOTHING_GIVEN = "Choose a badge file, paste a link, or paste the badge's data."
BACKPACK_UPLOAD_TOO_LARGE = (
    "The file is larger than {limit}. Badge images and files are much smaller than that: check "
    "you chose the right one."
)
BACKPACK_UPLOAD_EMPTY = "The file {name} is empty."
BACKPACK_UPLOAD_WRONG_TYPE = (
    "Choose a badge image (PNG or SVG) or a badge file (JSON or JWT). {name} isn't one of those."
)
BACKPACK_LINK_INVALID = "Enter the badge's web address, starting with https:// (or http://)."
BACKPACK_TEXT_TOO_LARGE = (
    "What you pasted is larger than {limit}, which is more than any badge needs."
)
BACKPACK_IMPORT_REFUSED = "We couldn't add this badge. {headline}. {reasons}"
BACKPACK_IMPORT_DUPLICATE = (
    "This badge is already in your backpack (you imported it on {date}). Use “Check again” "
    "there to bring it up to date."
)
BACKPACK_IMPORT_OWN_AWARD = (
    "This badge was awarded to you here, so it is already in your backpack — there is no need "
    "to import it."
)
BACKPACK_IMPORTED = "“{name}” is in your backpack."
BACKPACK_IMPORTED_STATUS_UNKNOWN = (
    "“{name}” is in your backpack, but we couldn't check whether its issuer has withdrawn it. "
    "We'll check again; you can also use “Check again” later."
)
BACKPACK_IMPORTED_NOT_CURRENT = (
    "“{name}” is in your backpack. It is genuine, but not current: {headline}."
)
BACKPACK_RECHECKED = "We checked “{name}” again: {status}."
BACKPACK_REMOVED = "“{name}” was removed from your backpack."
BACKPACK_TOO_MANY_CHECKS = (
    "You've checked a lot of badges in the last minute. Wait a minute, then try again."
)
# (end of backpack messages)

# Collections, sharing and the public portfolio (learners/sharing.py, issue 6)
COLLECTION_NAME_REQUIRED = "Give the collection a name."
COLLECTION_NAME_TAKEN = "You already have a collection called “{name}”. Choose a different name."
COLLECTION_BADGE_NOT_YOURS = "You can only add your own badges to your collections."
COLLECTION_BADGE_REVOKED = "This badge has been revoked, so it can't be added to a collection."
COLLECTION_BADGE_ALREADY_IN = "“{name}” is already in this collection."
COLLECTION_BADGE_CHOOSE_ONE = "Choose one badge to add."
SHARING_BADGE_NOT_YOURS = "You can only choose how your own badges are shared."
SHARING_NEEDS_GUARDIAN_CONSENT = (
    "You can share your badges once your parent or carer has said yes to your account. "
    "We've emailed them a link."
)
PORTFOLIO_NEEDS_PROFILE = (
    "A public portfolio needs a learner profile. Finish setting up your profile first."
)
# (end of sharing messages)

# Skills, downloads, certificates and CV (learners/skills.py, learners/downloads.py, issue 6)
DECLARED_SKILL_NAME_REQUIRED = "Give the skill a name, like “Cooking” or “Public speaking”."
DECLARED_SKILL_NAME_TOO_LONG = "Keep the skill's name to {limit} characters or fewer."
DECLARED_SKILL_LEVEL_UNKNOWN = "Choose how well you know this skill."
DECLARED_SKILL_DUPLICATE = "You've already added “{name}” to your skills."
DECLARED_SKILL_ADDED = "“{name}” is added to the skills you say you have."
DECLARED_SKILL_REMOVED = "“{name}” is removed from your skills."
CERTIFICATE_REVOKED = (
    "This badge was revoked by the organisation that gave it, so it has no certificate. "
    "If you think this is a mistake, contact {organisation}."
)
RECORD_NO_AWARDS = (
    "You don't have any badges from Learning City yet, so there is no learning record to "
    "download. Take part in an opportunity to earn your first badge."
)
CV_NO_SKILLS = (
    "Your skills CV lists the skills your badges show. You don't have any badges with skills "
    "yet: earn a badge, or add skills you have yourself, then try again."
)
# (end of skills messages)

# Privacy: export, account deletion, the guardian's view (learners/privacy.py, issue 6)
PRIVACY_SETTINGS_SAVED = "Your privacy settings are saved."
PRIVACY_NO_PROFILE = "Your account has no learner profile, so there are no suggestions to switch."
PRIVACY_DELETE_EMAIL_MISMATCH = (
    "That is not your account's email address. Type it exactly as it is shown above."
)
PRIVACY_DELETE_SOLE_OWNER = (
    "You are the only owner of {names}. Make someone else an owner, or close the organisation, "
    "before you delete your account."
)
PRIVACY_DELETE_GUARDIAN_CONFIRM = "Tick the box to say you understand the account will be closed."
# Shown on each badge page after the holder's account is deleted (the revocation reason).
PRIVACY_REVOKED_HOLDER_CLOSED = "The holder closed their account."
PRIVACY_REVOKED_GUARDIAN_CLOSED = "The holder's parent or carer closed their account."
# (end of privacy messages)

# Pathways (pathways/services.py, issue 6)
PATHWAY_ARCHIVED = "This pathway is archived, so it can't be changed."
PATHWAY_ALREADY_PUBLISHED = "This pathway is already published."
PATHWAY_ALREADY_ARCHIVED = "This pathway is already archived."
PATHWAY_NEEDS_STEPS = "Add at least one step before publishing the pathway."
PATHWAY_LAST_STEP = (
    "A published pathway needs at least one step. Add another step before removing this one."
)
PATHWAY_STEP_NO_BADGES = (
    "Step {position} (“{title}”) has no badges that can count yet: choose a badge, a topic, "
    "or (if badges from elsewhere count) a badge from another issuer."
)
PATHWAY_STEP_REQUIRED_TOO_HIGH = (
    "Step {position} (“{title}”) asks for {required} badges but only {count} can count towards "
    "it. Ask for fewer, or add more badges."
)
PATHWAY_STEP_REQUIRED_MIN = "A step needs at least one badge."
PATHWAY_STEP_BADGE_OTHER_CITY = "“{badge}” belongs to an organisation in another city."
PATHWAY_STEP_BADGE_DRAFT = (
    "Step {position} (“{title}”) uses “{badge}”, which is still a draft. Publish the badge first."
)
PATHWAY_STEP_TOPIC_OTHER_CITY = "That topic belongs to another city."
PATHWAY_STEP_OPPORTUNITY_OTHER_CITY = "“{opportunity}” is in another city."
PATHWAY_STEP_EXTERNAL_ID_INVALID = (
    "“{value}” isn't a badge id: give the web address (or urn:) of the other issuer's achievement."
)
PATHWAY_COMPLETION_BADGE_INVALID = (
    "The completion badge must be a published badge of an organisation in this city."
)
PATHWAY_ORGANISATION_OTHER_CITY = "That organisation belongs to another city."
PATHWAY_NOT_OPEN = "This pathway isn't open to join."
# (end of pathways messages)

# Pathway building (pathways/forms.py, pathways/views/staff.py, issue 6)
PATHWAY_STEP_EXTERNAL_URL_INVALID = (
    "“{value}” isn't a web address. Put one badge's achievement id a line, starting with https://."
)
PATHWAY_STEP_EXTERNAL_IDS_TOO_MANY = "A step can name up to {max} badges from other issuers."
PATHWAY_STEP_REQUIRED_TOO_MANY = (
    "The step has only {count} badge(s) to choose from, so a learner can't need more than that."
)
# (end of pathway building messages)

# Recommendations (pathways/recommendations.py, issue 6)
RECOMMENDATIONS_NEED_GUARDIAN = (
    "Suggestions can be switched on once your parent or carer has said yes to your account."
)
RECOMMENDATIONS_NEED_PROFILE = (
    "Suggestions are made from your learner profile. Add your date of birth and city to your "
    "profile first."
)
RECOMMENDATIONS_SAVED_ON = "Saved. Your suggestions are switched on."
RECOMMENDATIONS_SAVED_OFF = "Saved. Suggestions are switched off; nothing is worked out for you."
# (end of recommendations messages)

# Insights (issue 7)
INSIGHTS_CITY_UNKNOWN = "No city has the slug “{slug}”."
# (end of insights messages)
