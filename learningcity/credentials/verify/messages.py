"""The reasons a verdict gives, as plain sentences (tests assert on them)."""

from __future__ import annotations

# --- messages (plain language; tests assert on them) --------------------------------------------

INTERNAL_ERROR = (
    "Something unexpected went wrong while checking this badge. It has been logged; please try "
    "again later."
)
TOO_LARGE = "This is larger than {limit_mb} MB, which is more than any badge needs."
EMPTY = "There was nothing to check."
NOT_A_BADGE = (
    "This doesn't look like a badge. We can check a link to a badge, a badge image (PNG or SVG), "
    "or a badge file (JSON or a signed token)."
)
NOT_TEXT = "This isn't a PNG or SVG image, and it isn't text we can read."
NOT_JSON = "We can't read this as JSON: {detail}."
NESTED_TOO_DEEPLY = "it is nested more than 64 levels deep"
NOT_AN_OBJECT = "This JSON isn't a badge: a badge is a JSON object."
UNRECOGNISED_JSON = (
    "This JSON isn't a badge we recognise: it has neither an Open Badges nor a Verifiable "
    "Credentials context."
)
NO_BAKED_BADGE = "This {kind} image doesn't have a badge baked into it."
BAD_IMAGE = "We couldn't read the badge in this image: {detail}."
LINK_FAILED = "We couldn't open the link: {detail}"
LINK_STATUS = "The link didn't lead to a badge: the site answered with an error (HTTP {status})."
LINK_IS_A_WEB_PAGE = (
    "The link leads to a web page, not to the badge itself. Look on that page for a link to the "
    "badge's data (often called 'verify', 'JSON' or 'download'), or download the badge image and "
    "check that instead."
)
TOO_DEEP = "The badge points to another badge, which points to another: we stopped following."
NO_FETCHER = "checking online is turned off here."
TOO_MANY_FETCHES = "Checking this badge needed more documents than we allow, so we stopped."

NO_PROOF = (
    "The credential has no signature (proof), so nothing shows who issued it or that it is "
    "unchanged."
)
SEVERAL_PROOFS = "The credential has {count} signatures (proofs); we check credentials with one."
PROOF_NOT_OBJECT = "The credential's signature (proof) isn't in a form we can read."
PROOF_TYPE_UNSUPPORTED = (
    "The credential is signed with {kind}, which this checker doesn't support (it checks "
    "DataIntegrityProof with eddsa-rdfc-2022)."
)
PROOF_PURPOSE = (
    "The signature was made for '{purpose}', not for issuing credentials (assertionMethod)."
)
SIGNATURE_MISMATCH = (
    "The signature does not match the credential: it may have been changed after it was issued."
)
NO_ISSUER = "The badge doesn't say who issued it."
ENVELOPED = "Enveloped credentials aren't supported; check the signed token (VC-JWT) instead."

UNDEFINED_TERM = (
    "The credential uses '{term}'{where}, which its vocabulary (JSON-LD @context) doesn't "
    "define. Information outside the vocabulary isn't covered by the signature, so the badge "
    "can't be trusted as it is."
)
UNKNOWN_CONTEXT = (
    "The credential uses a vocabulary (JSON-LD context) we don't know: {url}. We only check "
    "badges written with the standard Open Badges and Verifiable Credentials vocabularies."
)
CONTEXT_CHANGED = (
    "The credential's vocabulary (JSON-LD @context) isn't one of the standard ones: {detail}. "
    "Changing the vocabulary changes what the signed words mean."
)
UNSAFE_JSONLD = "The credential contains data that can't be checked safely: {detail}."

KEY_UNREACHABLE = "We couldn't fetch the issuer's keys from {url}: {detail}"
KEY_DOCUMENT_STATUS = "We couldn't fetch the issuer's keys from {url} (HTTP {status})."
KEY_DOCUMENT_INVALID = "The issuer's key document at {url} isn't valid: {detail}."
KEY_NOT_FOUND = "The issuer's key document at {url} doesn't contain the key {key}."
KEY_NOT_ASSERTION = (
    "The badge was signed with the key {key}, which its issuer doesn't list as a key it issues "
    "credentials with."
)
KEY_OTHER_CONTROLLER = (
    "The badge was signed with a key that belongs to {controller}, not to its issuer {issuer}."
)
KEY_INVALID = "The signing key {key} isn't a valid Ed25519 key: {detail}."
KEY_METHOD_UNSUPPORTED = (
    "The signing key {key} uses an identifier type we can't look up (we support did:key, "
    "did:web and https)."
)
DOCUMENT_ID_MISMATCH = "The document at {url} says its address is {id}, not {url}."

JWT_EMBEDDED_KEY = (
    "The token carries its own public key instead of naming one its issuer publishes, so anyone "
    "could have signed it."
)
JWT_KEY_OFF_ISSUER = (
    "The token's signing key is published at {host}, not on its issuer's site ({issuer_host})."
)
JWT_KEY_INVALID = "The signing key {key} isn't a public key we can use: {detail}."
JWT_ALG_NONE = (
    "The token's signature was removed or replaced with one that proves nothing (algorithm "
    "'{alg}')."
)
JWT_ALG_UNSUPPORTED = "The token is signed with algorithm '{alg}', which we don't accept."

NOT_YET_VALID = "The badge only becomes valid on {date}."
EXPIRED = "The badge expired on {date}."
BAD_DATE = "'{value}' isn't a date we can read."

STATUS_REVOKED = "The issuer has revoked this badge."
STATUS_SUSPENDED = "The issuer has suspended this badge."
STATUS_LIST_UNREACHABLE = "We couldn't fetch the issuer's revocation list from {url}: {detail}"
STATUS_LIST_HTTP = "We couldn't fetch the issuer's revocation list from {url} (HTTP {status})."
STATUS_LIST_INVALID = "The issuer's revocation list at {url} can't be trusted: {detail}"
STATUS_LIST_OTHER_ISSUER = (
    "The revocation list at {url} was issued by {other}, not by this badge's issuer."
)
STATUS_LIST_EXPIRED = "The issuer's revocation list at {url} is out of date (it expired {date})."
STATUS_ENTRY_INVALID = "The badge's revocation entry isn't valid: {detail}."
STATUS_TYPE_UNSUPPORTED = "We can't read revocation entries of type '{kind}'."

OB2_VERIFICATION_TYPE = (
    "The assertion's verification type '{kind}' isn't one we know (hosted or signed)."
)
OB2_SIGNED_WITHOUT_SIGNATURE = (
    "This assertion says it is signed, but the signature isn't included. Check the signed badge "
    "file (a signed token or the baked image) instead."
)
OB2_NO_ID = "The assertion doesn't give the web address it is hosted at."
OB2_HOSTED_UNREACHABLE = "We couldn't fetch the badge from its issuer's site at {url}: {detail}"
OB2_HOSTED_STATUS = "The issuer's site doesn't have this badge at {url} any more (HTTP {status})."
OB2_HOSTED_DIFFERS = (
    "The badge given differs from the copy its issuer hosts at {url} (in: {fields})."
)
OB2_HOSTED_ID_DIFFERS = "The badge hosted at {url} says its address is {id}."
OB2_OFF_ORIGIN = (
    "The badge is hosted at {host}, which isn't its issuer's site ({issuer_host}). Anyone can "
    "put a badge file on their own site, so this one can't be traced to the issuer."
)
OB2_BADGE_UNREACHABLE = "We couldn't fetch the badge's description from {url}: {detail}"
OB2_ISSUER_UNREACHABLE = "We couldn't fetch the issuer's profile from {url}: {detail}"
OB2_NOT_JSON = "The document at {url} isn't valid JSON."
OB2_REVOKED_410 = "The issuer's site says this badge has been revoked (HTTP 410 Gone)."
OB2_REVOKED_FLAG = "The issuer marks this badge as revoked."
OB2_REVOKED_LIST = "The issuer's revocation list includes this badge."
OB2_REVOCATION_REASON = "The issuer's reason: {reason}"
OB2_REVOCATION_LIST_UNREACHABLE = (
    "We couldn't fetch the issuer's revocation list from {url}: {detail}"
)
OB2_SIGNED_KEY_MISSING = "The issuer's profile lists no public key to check the signature with."
OB2_SIGNED_KEY_OWNER = "The signing key at {url} belongs to {owner}, not to the issuer {issuer}."
OB2_SIGNED_KEY_OFF_ORIGIN = "The signing key is published at {host}, not on the issuer's site."
OB2_SIGNED_KEY_INVALID = "The key at {url} isn't an RSA public key we can use."
OB2_SIGNED_ALG = "Signed Open Badges 2.0 must use RS256, not '{alg}'."
OB1_SIGNED = "Signed Open Badges 1.0 badges can't be checked here."
OB1_NO_URL = "The badge doesn't give the web address it is hosted at (verify.url)."
OB05 = (
    "This is an Open Badges 0.5 badge (from before 2013), which can't be verified any more: "
    "it has no hosted or signed verification."
)
