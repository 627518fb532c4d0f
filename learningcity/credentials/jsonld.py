"""JSON-LD for credentials: the shipped contexts, an offline document loader, a safe-mode
expansion, the context allow-list and the reference canonicalisation.

Every context a credential may name is shipped in ``contexts/`` (``urls.json`` maps each URL to
its file; ``SOURCES.md`` says where each came from). The loader serves those and nothing else:
any other URL raises :class:`UnknownContext`, so processing a document never touches the
network and a document cannot pull in a context an attacker controls.

Three guards sit on top of PyLD, which has none of them:

- **Context allow-list** (:func:`context_list`): a credential's ``@context`` must be exactly one
  of :data:`CREDENTIAL_CONTEXTS`: the VC base context first (v2, or v1 for older OB 3.0
  credentials), then the OB / CLR contexts that go with it. Anything else, an embedded context
  object included, is "re-contextualising" the signed data and raises :class:`ContextNotAllowed`.
- **Safe mode** (:func:`expand_safe`), modelled on jsonld.js ``safe: true`` (the mode the Data
  Integrity verifiers run in): a property or ``@type`` the contexts do not define would be
  silently dropped or turned into a relative IRI by expansion, so it would be outside what the
  signature covers. Such a term raises :class:`UndefinedTerm` naming where it is. Relative IRIs
  and values expansion would drop raise :class:`UnsafeValue`.
- **RDFC-1.0 escaping** (:func:`canonicalize_reference`): PyLD 3.3 writes control characters
  in literals raw, where RDFC-1.0 (and jsonld.js / rdf-canonize, which the independent verifiers
  use) escapes them (``\\b``, ``\\f``, ``\\u0001`` …). Signing PyLD's raw bytes would produce
  credentials that other verifiers reject whenever a name contains such a character, so the
  reference runs PyLD's URDNA2015 implementation with the canonical escaping plugged in.

:class:`ActiveContext` is the processed context that the fast canonicaliser (``rdfc.py``)
compiles against: PyLD processes each context (and each scoped context it reaches) once, and
the result is memoised with per-term lookup tables.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
import threading
import types
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from cachetools import LRUCache
from pyld import ContextResolver
from pyld import canon as pyld_canon
from pyld import jsonld as pyld_jsonld
from pyld import nquads as pyld_nquads

__all__ = [
    "CONTROLLER_DOCUMENT_CONTEXTS",
    "CREDENTIAL_CONTEXTS",
    "DATA_INTEGRITY_V1_CONTEXT",
    "DATA_INTEGRITY_V2_CONTEXT",
    "VC_V1_CONTEXT",
    "VC_V2_CONTEXT",
    "ActiveContext",
    "ContextNotAllowed",
    "InvalidJsonLd",
    "JsonLdRefused",
    "UndefinedTerm",
    "UnknownContext",
    "UnsafeValue",
    "active_context",
    "canonicalize_reference",
    "context_list",
    "document_loader",
    "escape_iri",
    "escape_literal",
    "expand_safe",
    "format_path",
    "initial_context",
    "load_context",
]

CONTEXTS_DIR = Path(__file__).with_name("contexts")

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
DATA_INTEGRITY_V1_CONTEXT = "https://w3id.org/security/data-integrity/v1"
DATA_INTEGRITY_V2_CONTEXT = "https://w3id.org/security/data-integrity/v2"
STATUS_V1_CONTEXT = "https://www.w3.org/ns/credentials/status/v1"
_OB = "https://purl.imsglobal.org/spec/ob/v3p0/"
OB_V3P0_3_0_3 = _OB + "context-3.0.3.json"
OB_V3P0_3_0_2 = _OB + "context-3.0.2.json"
OB_V3P0_3_0_1 = _OB + "context-3.0.1.json"
OB_V3P0_UNVERSIONED = _OB + "context.json"
OB_V3P0_EXTENSIONS = _OB + "extensions.json"
OB_V3P0_DRAFT = "https://imsglobal.github.io/openbadges-specification/ob_v3p0.html"
JFF_PLUGFEST_1 = (
    "https://w3c-ccg.github.io/vc-ed/plugfest-1-2022/jff-vc-edu-plugfest-1-context.json"
)
CLR_V2P0_2_0_1 = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
DID_V1_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1_CONTEXT = "https://w3id.org/security/multikey/v1"


def _with_optional_tail(head: Sequence[str], optional: Iterable[str]) -> set[tuple[str, ...]]:
    """``head`` followed by any selection of ``optional`` contexts, in any order."""
    optional = tuple(optional)
    lists: set[tuple[str, ...]] = set()
    for size in range(len(optional) + 1):
        for tail in itertools.permutations(optional, size):
            lists.add((*head, *tail))
    return lists


def _credential_contexts() -> frozenset[tuple[str, ...]]:
    lists: set[tuple[str, ...]] = {(VC_V2_CONTEXT,)}  # e.g. BitstringStatusListCredential
    # OB 3.0 (3.0.2 onwards) on VC Data Model 2.0. 3.0.1 and older redefine terms the v2
    # context protects, so they only work on v1 (checked by test_jsonld).
    for ob in (OB_V3P0_3_0_3, OB_V3P0_3_0_2):
        lists |= _with_optional_tail(
            (VC_V2_CONTEXT, ob), (OB_V3P0_EXTENSIONS, DATA_INTEGRITY_V2_CONTEXT)
        )
    # CLR 2.0: VC v2, CLR, OB 3.0 (CLR 2.0 §A "JSON-LD contexts").
    lists |= _with_optional_tail(
        (VC_V2_CONTEXT, CLR_V2P0_2_0_1, OB_V3P0_3_0_3),
        (OB_V3P0_EXTENSIONS, DATA_INTEGRITY_V2_CONTEXT),
    )
    # OB 3.0 credentials issued on VC Data Model 1.1 before 3.0.3 (to verify others' badges).
    for ob in (
        OB_V3P0_3_0_2,
        OB_V3P0_3_0_1,
        OB_V3P0_UNVERSIONED,
        OB_V3P0_DRAFT,
        JFF_PLUGFEST_1,
    ):
        for di in (DATA_INTEGRITY_V1_CONTEXT, DATA_INTEGRITY_V2_CONTEXT):
            lists |= _with_optional_tail(
                (VC_V1_CONTEXT, ob), (OB_V3P0_EXTENSIONS, di, STATUS_V1_CONTEXT)
            )
    return frozenset(lists)


#: Every ``@context`` list accepted on a credential (and on its proof configuration).
CREDENTIAL_CONTEXTS: frozenset[tuple[str, ...]] = _credential_contexts()

#: ``@context`` lists accepted on an issuer's controller document (a DID document, an https
#: issuer document that is also an OB 3.0 ``Profile``, or one Multikey on its own).
CONTROLLER_DOCUMENT_CONTEXTS: frozenset[tuple[str, ...]] = frozenset(
    {
        (DID_V1_CONTEXT, MULTIKEY_V1_CONTEXT),
        (DID_V1_CONTEXT, MULTIKEY_V1_CONTEXT, OB_V3P0_3_0_3),
        (MULTIKEY_V1_CONTEXT,),
    }
)


# --- errors ------------------------------------------------------------------------------------


class JsonLdRefused(ValueError):
    """A document was refused. ``field`` says where (a JSON path, ``""`` for the document)."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class UnknownContext(JsonLdRefused):
    """A context URL that is not shipped with the platform (nothing is ever fetched)."""

    def __init__(self, url: str) -> None:
        super().__init__(f"the context {url!r} is not one this platform knows", field="@context")
        self.url = url


class ContextNotAllowed(JsonLdRefused):
    """An ``@context`` that is not exactly one of the accepted lists."""

    def __init__(self, context: Any, reason: str, *, field: str = "@context") -> None:
        super().__init__(reason, field=field)
        self.context = context


class UndefinedTerm(JsonLdRefused):
    """A property or type the contexts do not define (JSON-LD safe mode)."""

    def __init__(self, path: str, term: str, *, kind: str = "property") -> None:
        where = path or "the document"
        super().__init__(
            f"{kind} {term!r} at {where} is not defined by the document's @context", field=path
        )
        self.path = path
        self.term = term


class UnsafeValue(JsonLdRefused):
    """A value that expansion would drop or leave relative, or a JSON-LD construct that
    credentials have no use for (JSON-LD safe mode)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}" if path else reason, field=path)
        self.path = path
        self.reason = reason


class InvalidJsonLd(JsonLdRefused):
    """Not valid JSON-LD (PyLD's own error, reworded)."""


def format_path(parts: Iterable[str | int]) -> str:
    """``["credentialSubject", "achievement", "alignment", 1]`` →
    ``credentialSubject.achievement.alignment[1]``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


# --- the shipped contexts and the loader -------------------------------------------------------


@cache
def _url_to_file() -> dict[str, str]:
    return json.loads((CONTEXTS_DIR / "urls.json").read_text(encoding="utf-8"))


@cache
def _parsed_context(url: str) -> Any:
    return json.loads((CONTEXTS_DIR / _url_to_file()[url]).read_text(encoding="utf-8"))


def load_context(url: str) -> Any:
    """A fresh copy of the shipped context at ``url``; :class:`UnknownContext` if there is none."""
    if url not in _url_to_file():
        raise UnknownContext(url)
    return copy.deepcopy(_parsed_context(url))


def document_loader(url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A PyLD document loader (JSON-LD 1.1 API §9.4.1 ``LoadDocumentCallback``) that serves the
    shipped contexts only."""
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": load_context(url),
    }


# PyLD keeps module-level caches (cachetools LRUs, which are not thread-safe) and a global
# default loader. Every call here passes its own resolver over its own cache, and holds this
# lock while PyLD runs, so neither another loader's cached documents nor a concurrent request
# can leak in.
_PYLD_LOCK = threading.RLock()
_RESOLVED_CONTEXTS: LRUCache[str, Any] = LRUCache(maxsize=256)


def _pyld_options(**extra: Any) -> dict[str, Any]:
    return {
        "documentLoader": document_loader,
        "contextResolver": ContextResolver(_RESOLVED_CONTEXTS, document_loader),
        "base": "",
        "processingMode": "json-ld-1.1",
        **extra,
    }


def _unwrap_pyld_error(error: BaseException) -> JsonLdRefused:
    """Our own refusal if PyLD wrapped one (e.g. the loader's UnknownContext), else the deepest
    PyLD message as :class:`InvalidJsonLd`."""
    messages = []
    current: BaseException | None = error
    while current is not None:
        if isinstance(current, JsonLdRefused):
            return current
        messages.append(str(current).split("\n", 1)[0])
        current = current.__cause__ or current.__context__
    return InvalidJsonLd(f"not valid JSON-LD: {messages[-1]}")


# --- the context allow-list --------------------------------------------------------------------


def context_list(
    document: Mapping[str, Any], *, accepted: frozenset[tuple[str, ...]] = CREDENTIAL_CONTEXTS
) -> tuple[str, ...]:
    """The document's ``@context`` as a tuple, if it is exactly one of ``accepted``.

    Raises :class:`UnknownContext` for a URL that is not shipped, :class:`ContextNotAllowed`
    otherwise (wrong order, a missing base context, an embedded context object, …).
    """
    if not isinstance(document, Mapping):
        raise ContextNotAllowed(None, "the document must be a JSON object", field="")
    raw = document.get("@context")
    items = raw if isinstance(raw, list) else [raw]
    if raw is None:
        raise ContextNotAllowed(raw, "the document has no @context")
    for item in items:
        if not isinstance(item, str):
            raise ContextNotAllowed(
                raw, "embedded @context objects are not accepted: name shipped contexts by URL"
            )
        if item not in _url_to_file():
            raise UnknownContext(item)
    contexts = tuple(items)
    if contexts not in accepted:
        if contexts[0] not in (VC_V2_CONTEXT, VC_V1_CONTEXT) and accepted is CREDENTIAL_CONTEXTS:
            reason = (
                f"the first @context must be {VC_V2_CONTEXT!r} (or {VC_V1_CONTEXT!r} for "
                f"older credentials), not {contexts[0]!r}"
            )
        else:
            reason = f"this @context list is not one of the accepted lists: {list(contexts)!r}"
        raise ContextNotAllowed(raw, reason)
    return contexts


# --- processed contexts for the compiler -------------------------------------------------------

_PROCESSOR = pyld_jsonld.JsonLdProcessor()
_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$")
_KEYWORD_LIKE = re.compile(r"^@[a-zA-Z]+$")
_KEYWORDS = frozenset(pyld_jsonld.KEYWORDS)
_MAX_MEMO = 4096


class Term:
    """What one key means in one active context: the parts of its term definition (JSON-LD 1.1
    API §4.2) that expansion and RDF conversion read, precomputed."""

    __slots__ = (
        "compiled",
        "container",
        "context",
        "direction",
        "iri",
        "is_graph",
        "is_list",
        "key",
        "kind",
        "language",
        "predicate",
        "reverse",
        "type",
    )

    #: ``kind``: what expansion does with the key (JSON-LD 1.1 API §4.1.2 step 13.3).
    DROPPED = 0  # neither an absolute IRI nor a keyword: the entry is dropped
    KEYWORD = 1
    PROPERTY = 2
    UNSUPPORTED = 3  # a blank-node predicate, or a map container no accepted context defines

    def __init__(self, ctx: Mapping[str, Any], key: str) -> None:
        self.key = key
        # §5.2 IRI Expansion with vocab=true and no document base, as PyLD expands keys.
        iri = _PROCESSOR._expand_iri(ctx, key, vocab=True)
        self.iri: str | None = iri
        #: the N-Quads form of ``iri`` ("" when the key is not a property)
        self.predicate = f"<{escape_iri(iri)}>" if isinstance(iri, str) else ""
        mappings = ctx["mappings"]
        entry = mappings.get(key) if key in mappings else None
        # PyLD's get_context_value(): the term's own entry wins, else the context default.
        self.language = ctx.get("@language")
        self.direction = ctx.get("@direction")
        if key in mappings and entry is None:
            self.language = self.direction = None
        if entry is not None:
            if "@language" in entry:
                self.language = entry["@language"]
            if "@direction" in entry:
                self.direction = entry["@direction"]
        entry = entry or {}
        self.type: str | None = entry.get("@type")
        container = entry.get("@container")
        self.container = frozenset(
            container if isinstance(container, list | tuple) else [container] if container else []
        )
        self.is_list = "@list" in self.container
        self.is_graph = "@graph" in self.container
        self.context = entry.get("@context")
        self.reverse = bool(entry.get("reverse"))
        #: free for a compiler's own per-term data (``rdfc`` keeps a string literal recipe).
        self.compiled: Any = None
        if not isinstance(iri, str):
            self.kind = Term.DROPPED
        elif iri in _KEYWORDS:
            self.kind = Term.KEYWORD
        elif not _ABSOLUTE_IRI.match(iri):
            self.kind = Term.DROPPED
        elif (
            iri.startswith("_:")
            or not self.container <= {"@set", "@list", "@graph"}
            or (self.is_list and self.is_graph)
        ):
            self.kind = Term.UNSUPPORTED
        else:
            self.kind = Term.PROPERTY


class ActiveContext:
    """A PyLD active context plus memo tables: terms, type IRIs and the contexts reached from it
    through scoped contexts (JSON-LD 1.1 §4.1.8 scoped contexts, API §4.1.2 context processing).

    Instances are shared and never mutated after their memo entries are filled, so the same
    transition is computed by PyLD once per process.
    """

    __slots__ = ("_scoped", "_typed", "_types", "_urls", "plans", "previous", "raw", "terms")

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw
        previous = raw.get("previousContext")
        self.previous: ActiveContext | None = _wrap(previous) if previous is not None else None
        #: key → :class:`Term`; read directly on hot paths, filled by :meth:`term`.
        self.terms: dict[str, Term] = {}
        #: free for a compiler's own per-context memo (``rdfc`` keeps its key-set plans here).
        self.plans: dict[Any, Any] = {}
        self._types: dict[str, tuple[str, bool]] = {}
        self._scoped: dict[tuple[int, bool, bool], tuple[Any, ActiveContext]] = {}
        self._typed: dict[tuple[str, ...], ActiveContext] = {}
        self._urls: dict[tuple[str, ...], ActiveContext] = {}

    def term(self, key: str) -> Term:
        term = self.terms.get(key)
        if term is None:
            term = Term(self.raw, key)
            if len(self.terms) < _MAX_MEMO:
                self.terms[key] = term
        return term

    def type_iri(self, value: str) -> tuple[str, bool]:
        """A ``@type`` value (or ``@vocab``-typed value) expanded exactly as PyLD does
        (vocab=true, document base ``""``), and whether the contexts define it: a term, a
        compact IRI with a defined prefix, or an absolute IRI. Undefined values come back
        resolved against PyLD's placeholder base, which safe mode refuses."""
        hit = self._types.get(value)
        if hit is None:
            defined = _PROCESSOR._expand_iri(self.raw, value, vocab=True)
            iri = _PROCESSOR._expand_iri(self.raw, value, vocab=True, base="")
            hit = (iri, isinstance(defined, str) and bool(_ABSOLUTE_IRI.match(defined)))
            if len(self._types) < _MAX_MEMO:
                self._types[value] = hit
        return hit

    def expand_id(self, value: str) -> str | None:
        """An ``@id`` (or ``@id``-typed value) as PyLD expands it (§5.2, vocab=false), or
        ``None`` when the result would be relative, a blank node or keyword-like."""
        if value[:1] == "@":
            return None
        colon = value.find(":")
        if colon <= 0:
            return None
        prefix = value[:colon]
        if prefix == "_":
            return None
        suffix = value[colon + 1 :]
        if not suffix.startswith("//"):
            mapping = self.raw["mappings"].get(prefix)
            if mapping and mapping["_prefix"]:
                value = mapping["@id"] + suffix
        return value if _ABSOLUTE_IRI.match(value) else None

    def scoped(
        self, local_context: Any, *, propagate: bool = True, override_protected: bool = False
    ) -> ActiveContext:
        """The active context after processing a scoped context on top of this one."""
        key = (id(local_context), propagate, override_protected)
        hit = self._scoped.get(key)
        if hit is None:
            with _PYLD_LOCK:
                try:
                    raw = _PROCESSOR._process_context(
                        self.raw,
                        local_context,
                        _pyld_options(),
                        override_protected=override_protected,
                        propagate=propagate,
                    )
                except pyld_jsonld.JsonLdError as error:
                    raise _unwrap_pyld_error(error) from error
            # The local context is kept alive with the entry so its id() stays unique.
            hit = (local_context, _wrap(raw))
            if len(self._scoped) < _MAX_MEMO:
                self._scoped[key] = hit
        return hit[1]

    def with_context(self, urls: tuple[str, ...]) -> ActiveContext:
        """The active context after an ``@context`` naming shipped contexts (API §4.1.2
        step 9 for an embedded context, §4.1 step 2 for the document's own)."""
        hit = self._urls.get(urls)
        if hit is None:
            for url in urls:
                if url not in _url_to_file():
                    raise UnknownContext(url)
            with _PYLD_LOCK:
                options = _pyld_options()
                try:
                    raw = _PROCESSOR._process_context(self.raw, list(urls), options)
                except pyld_jsonld.JsonLdError as error:
                    raise _unwrap_pyld_error(error) from error
            hit = _wrap(raw)
            if len(self._urls) < _MAX_MEMO:
                self._urls[urls] = hit
        return hit

    def with_types(self, types: tuple[str, ...]) -> ActiveContext:
        """The context for a node of these (sorted) types: each type's scoped context applied
        in order, not propagated to nested nodes (JSON-LD 1.1 API §4.1.2 step 11)."""
        hit = self._typed.get(types)
        if hit is None:
            hit = self
            for type_ in types:
                scoped = self.term(type_).context
                if scoped is not None:
                    hit = hit.scoped(scoped, propagate=False)
            if len(self._typed) < _MAX_MEMO:
                self._typed[types] = hit
        return hit


_WRAPPED: dict[int, ActiveContext] = {}


def _wrap(raw: Mapping[str, Any]) -> ActiveContext:
    # PyLD returns the same frozen object for the same processing, so its id() identifies the
    # context; the ActiveContext holds ``raw``, which keeps the id from being reused.
    hit = _WRAPPED.get(id(raw))
    if hit is None or hit.raw is not raw:
        hit = ActiveContext(raw)
        if len(_WRAPPED) < _MAX_MEMO:
            _WRAPPED[id(raw)] = hit
    return hit


@cache
def initial_context() -> ActiveContext:
    """The empty active context a document's own ``@context`` is processed on (API §4.1)."""
    return _wrap(_PROCESSOR._get_initial_context(_pyld_options()))


def active_context(contexts: Sequence[str]) -> ActiveContext:
    """The processed active context for a list of shipped context URLs (cached per list)."""
    return initial_context().with_context(tuple(contexts))


# --- safe expansion ----------------------------------------------------------------------------


def expand_safe(
    document: Mapping[str, Any], *, accepted: frozenset[tuple[str, ...]] = CREDENTIAL_CONTEXTS
) -> list[dict[str, Any]]:
    """JSON-LD 1.1 API §4.1 expansion, refusing what jsonld.js ``safe: true`` refuses.

    The guard walks the compacted document with the same term tables the fast canonicaliser
    compiles, so it knows, key by key, what survives expansion: a key that does not expand to
    an absolute IRI or keyword would be dropped, a ``@type`` that is not defined would become a
    relative IRI — both raise :class:`UndefinedTerm` with the JSON path. Relative ``@id``
    values, ``null`` ``@value``\\ s and the like raise :class:`UnsafeValue`. The ``@context``
    must be one of ``accepted`` (:func:`context_list`). Then PyLD expands the document.
    """
    from .rdfc import check_safe  # the guard shares the compiler's walk (rdfc imports this)

    check_safe(document, accepted=accepted)
    with _PYLD_LOCK:
        try:
            return _PROCESSOR.expand(copy.deepcopy(dict(document)), _pyld_options())
        except pyld_jsonld.JsonLdError as error:
            raise _unwrap_pyld_error(error) from error


# --- reference canonicalisation ----------------------------------------------------------------

# RDFC-1.0 §4.3 and RDF 1.1 N-Quads canonical form (as written by rdf-canonize): in a literal,
# \b \t \n \f \r " \ as ECHAR, every other U+0000–U+001F and U+007F as UCHAR (upper-case hex).
_LITERAL_ESCAPES = {n: f"\\u{n:04X}" for n in [*range(0x20), 0x7F]}
_LITERAL_ESCAPES.update(
    {0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r", 0x22: '\\"', 0x5C: "\\\\"}
)
_LITERAL_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f\x7f"\\]')
# In an IRI: U+0000–U+0020 and <>"{}|^`\ as UCHAR.
_IRI_ESCAPES = {n: f"\\u{n:04X}" for n in [*range(0x21), *map(ord, '<>"{}|^`\\')]}
_IRI_NEEDS_ESCAPE = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def escape_literal(value: str) -> str:
    if _LITERAL_NEEDS_ESCAPE.search(value) is None:
        return value
    return value.translate(_LITERAL_ESCAPES)


def escape_iri(value: str) -> str:
    if _IRI_NEEDS_ESCAPE.search(value) is None:
        return value
    return value.translate(_IRI_ESCAPES)


def _serialize_nquad(triple: Mapping[str, Any], graph_name: str | None = None) -> str:
    # PyLD's serializer, with RDFC-1.0 escaping for IRIs and literals.
    s, p, o = triple["subject"], triple["predicate"], triple["object"]
    g = triple.get("name", {"value": graph_name})["value"]
    quad = f"<{escape_iri(s['value'])}>" if s["type"] == "IRI" else s["value"]
    quad += f" <{escape_iri(p['value'])}> " if p["type"] == "IRI" else f" {p['value']} "
    if o["type"] == "IRI":
        quad += f"<{escape_iri(o['value'])}>"
    elif o["type"] == "blank node":
        quad += o["value"]
    else:
        quad += f'"{escape_literal(o["value"])}"'
        if o["datatype"] == pyld_nquads.RDF_LANGSTRING:
            if o.get("language"):
                quad += "@" + o["language"]
        elif o["datatype"] != pyld_nquads.XSD_STRING:
            quad += f"^^<{escape_iri(o['datatype'])}>"
    if g is not None:
        quad += f" <{escape_iri(g)}>" if not g.startswith("_:") else " " + g
    return quad + " .\n"


def _with_canonical_serializer(function: Any) -> Any:
    # The same code object as PyLD's method, looking up ``serialize_nquad`` in a namespace where
    # it is the RDFC-1.0 serializer: PyLD's algorithm, unchanged, nothing patched globally.
    namespace = dict(function.__globals__, serialize_nquad=_serialize_nquad)
    return types.FunctionType(
        function.__code__, namespace, function.__name__, function.__defaults__, function.__closure__
    )


class _URDNA2015(pyld_canon.URDNA2015):  # type: ignore[misc]
    """PyLD's URDNA2015 (= RDFC-1.0 with SHA-256) with canonical N-Quads escaping."""

    main = _with_canonical_serializer(pyld_canon.URDNA2015.main)
    hash_first_degree_quads = _with_canonical_serializer(
        pyld_canon.URDNA2015.hash_first_degree_quads
    )


def canonicalize_reference(document: Mapping[str, Any]) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document, computed by PyLD.

    JSON-LD 1.1 API §8.1 (Deserialize JSON-LD to RDF) with ``rdfDirection: i18n-datatype``, as the
    eddsa-rdfc-2022 implementations do, then URDNA2015 — the algorithm RDFC-1.0 standardised —
    with RDFC-1.0 escaping (see the module docstring). Only shipped contexts can be loaded.
    This is the slow, obviously-right oracle; :func:`learningcity.credentials.rdfc.canonicalize`
    must return the same string.
    """
    with _PYLD_LOCK:
        options = _pyld_options(rdfDirection="i18n-datatype", produceGeneralizedRdf=False)
        try:
            dataset = _PROCESSOR.to_rdf(copy.deepcopy(dict(document)), options)
            return str(_URDNA2015().main(dataset, {"format": "application/n-quads"}))
        except pyld_jsonld.JsonLdError as error:
            raise _unwrap_pyld_error(error) from error
