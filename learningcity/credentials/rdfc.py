"""Fast RDFC-1.0 canonicalisation of the JSON-LD documents this platform signs and verifies.

:func:`canonicalize` returns byte for byte what
:func:`learningcity.credentials.jsonld.canonicalize_reference` (PyLD) returns, some 40 times
faster on the platform's credentials, by doing less general work:

1. **Contexts once.** Each ``@context`` list, and every scoped context reached from it, is
   processed by PyLD once per process (:class:`~learningcity.credentials.jsonld.ActiveContext`);
   each key's term definition is looked up once per context.
2. **JSON straight to quads.** One walk over the compacted JSON mirrors PyLD's expansion
   (JSON-LD 1.1 API §4.1) — the same scoped-context transitions in the same places — and emits
   RDF quads directly (API §8.1 Deserialize JSON-LD to RDF, §7.1 node map generation), skipping
   the expanded document, the deep copies and the node map.
3. **First-degree hashes.** RDFC-1.0 §4.4 labels blank nodes with the Hash First Degree Quads
   algorithm (§4.6) and, only when two blank nodes share a hash, with Hash N-Degree Quads
   (§4.8). Credentials almost never need the second step; when they do, this module hands the
   document to the reference.

Anything the walk does not handle exactly like PyLD — a relative IRI, ``@reverse``, an
embedded context, an index map, a value it is unsure how PyLD would deduplicate — falls back to
the reference, silently, with the same bytes as the result. The guard against drift is the
property-based test in ``tests/test_rdfc.py`` (a thousand generated documents a run, compared
byte for byte); see ``docs/decisions/0001-fast-canonicalisation.md``.

The same walk is the JSON-LD safe-mode guard (``safe=True``): it knows, key by key, what
expansion keeps, so an undefined term or a value that would be dropped is refused with its JSON
path before anything is hashed.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, NoReturn

# The JSON Canonicalization Scheme (RFC 8785) implementation PyLD ships and uses for rdf:JSON
# literals: the same bytes as the reference by construction.
from c14n.Canonicalize import canonicalize as json_canonicalize

from .jsonld import (
    CREDENTIAL_CONTEXTS,
    ActiveContext,
    ContextNotAllowed,
    JsonLdRefused,
    Term,
    UndefinedTerm,
    UnsafeValue,
    canonicalize_reference,
    context_list,
    escape_iri,
    escape_literal,
    format_path,
    initial_context,
)

__all__ = ["canonicalize", "check_safe"]

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = f"<{_RDF}type>"
RDF_FIRST = f"<{_RDF}first>"
RDF_REST = f"<{_RDF}rest>"
RDF_NIL = f"<{_RDF}nil>"
RDF_LANGSTRING = _RDF + "langString"
RDF_JSON = _RDF + "JSON"
XSD_STRING = _XSD + "string"
XSD_BOOLEAN = _XSD + "boolean"
XSD_INTEGER = _XSD + "integer"
XSD_DOUBLE = _XSD + "double"
I18N = "https://www.w3.org/ns/i18n#"

_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$")
# BCP 47 well-formedness as jsonld.js checks it for safe mode ('invalid @language value').
_BCP47 = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")


class _Unsupported(Exception):
    """The walk met something it does not mirror exactly: fall back to the reference (or, in
    safe mode, refuse it)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.parts: list[str | int] = []


class _Refuse(Exception):
    """A safe-mode refusal on its way up; each level adds its part of the JSON path."""

    def __init__(self, build: Callable[[str], JsonLdRefused]) -> None:
        super().__init__()
        self.build = build
        self.parts: list[str | int] = []


def _path(parts: list[str | int]) -> str:
    return format_path(reversed(parts))


def _iri(value: str) -> str:
    return f"<{escape_iri(value)}>"


def _canonical_double(value: float) -> str:
    # JSON-LD 1.1 API §8.6 step 10: the canonical lexical form of xsd:double, as PyLD writes it.
    return re.sub(r"(\d)0*E\+?(-)?0*(\d)", r"\1E\2\3", f"{value:1.15E}")


def _unportable_number(value: float) -> bool:
    """Numbers PyLD and jsonld.js turn into different literals (JSON-LD 1.1 API §8.6): an
    integer a JavaScript number cannot hold exactly (below the 1e21 where both switch to
    xsd:double), or a fraction JavaScript prints without a decimal point (below 1e-6, as
    ``1e-7``), which jsonld.js then writes as the integer 0."""
    if isinstance(value, bool) or not math.isfinite(value):
        return False
    if isinstance(value, int):
        return abs(value) < 1e21 and int(float(value)) != value
    return not value.is_integer() and abs(value) < 1e-6


_DROPPED, _KEYWORD, _PROPERTY = Term.DROPPED, Term.KEYWORD, Term.PROPERTY
_VALUE_KEYWORDS = frozenset({"@language", "@direction", "@index"})
_NOT_DATATYPES = frozenset({"@id", "@vocab", "@none", "@json"})


class _Plan:
    """How one active context reads one set of keys: computed once per (context, key set)."""

    __slots__ = (
        "dropped",
        "id_key",
        "keeps_context",
        "properties",
        "type_key",
        "type_keys",
        "unsupported",
        "value_key",
        "value_parts",
    )

    def __init__(self, ctx: ActiveContext, keys: tuple[str, ...]) -> None:
        self.properties: list[tuple[str, Term]] = []
        self.dropped: list[str] = []
        self.value_parts: list[tuple[str, str]] = []
        self.type_keys: list[str] = []
        self.id_key: str | None = None
        self.value_key: str | None = None
        self.unsupported: tuple[str, str] | None = None
        keeps_context = False
        for key in keys:
            term = ctx.term(key)
            kind, iri = term.kind, term.iri
            if iri == "@value" or (iri == "@id" and len(keys) == 1):
                keeps_context = True
            if kind == _PROPERTY:
                self.properties.append((key, term))
            elif kind == _KEYWORD:
                if iri == "@id":
                    self.id_key = key
                elif iri == "@type":
                    self.type_keys.append(key)
                elif iri == "@value":
                    self.value_key = key
                elif iri in _VALUE_KEYWORDS:
                    self.value_parts.append((iri, key))  # type: ignore[arg-type]
                elif iri != "@context" and self.unsupported is None:
                    self.unsupported = (key, f"the keyword {iri}")
            elif kind == _DROPPED:
                self.dropped.append(key)
            elif self.unsupported is None:
                self.unsupported = (key, f"the property {key!r} (blank-node predicate or map)")
        # §4.1.2 step 7: only consulted for maps of at most two entries.
        self.keeps_context = keeps_context and len(keys) <= 2
        self.type_key = self.type_keys[0] if len(self.type_keys) == 1 else None


def _plan(ctx: ActiveContext, keys: tuple[str, ...]) -> _Plan:
    plan = ctx.plans.get(keys)
    if plan is None:
        plan = _Plan(ctx, keys)
        if len(ctx.plans) < 4096:
            ctx.plans[keys] = plan
    return plan


def _string_suffix(term: Term) -> str | None:
    """For a plain JSON string under ``term``: what follows the quoted value in its N-Quads
    literal (§5.3 then §8.6); ``None`` when the general code must handle it."""
    coerce = term.type
    if coerce is None or coerce == "@none":
        if term.direction is not None:
            return None  # see _Walk.literal
        if term.language is not None:
            return f"@{term.language}" if term.language else None
        return ""
    if coerce in _NOT_DATATYPES or coerce in (XSD_DOUBLE, RDF_LANGSTRING, XSD_STRING):
        return None
    return f"^^<{escape_iri(coerce)}>"


# ``Term.compiled`` holds this walk's recipe for a JSON string value under the term, when the
# term is a plain property (no scoped context, list or graph container, reverse or rdf:type):
# ``(0, suffix)`` for a literal, ``(1, None)`` for an @id-coerced IRI, ``(2, None)`` for
# anything else.
_LITERAL, _IRI_VALUE, _GENERAL = 0, 1, 2


def _string_recipe(term: Term) -> tuple[int, str | None]:
    recipe = term.compiled
    if recipe is None:
        recipe = (_GENERAL, None)
        if (
            term.kind == _PROPERTY
            and term.context is None
            and term.container <= {"@set"}
            and not term.reverse
            and term.predicate != RDF_TYPE
        ):
            if term.type == "@id":
                recipe = (_IRI_VALUE, None)
            else:
                suffix = _string_suffix(term)
                if suffix is not None:
                    recipe = (_LITERAL, suffix)
        term.compiled = recipe
    return recipe  # type: ignore[no-any-return]


_SERIALIZED_IRIS: dict[str, str] = {}


def _type_iri(iri: str) -> str:
    # Types come from a small vocabulary; their N-Quads form is worth keeping.
    serialized = _SERIALIZED_IRIS.get(iri)
    if serialized is None:
        serialized = _iri(iri)
        if len(_SERIALIZED_IRIS) < 4096:
            _SERIALIZED_IRIS[iri] = serialized
    return serialized


class _Walk:
    """One document's walk: quads as tuples of N-Quads terms ``(s, p, o, g)``, ``g`` ``""`` for
    the default graph, blank nodes as ``_:b<n>``."""

    __slots__ = ("accepted", "blank", "exact", "json_literals", "quads", "safe")

    def __init__(self, *, safe: bool, accepted: frozenset[tuple[str, ...]]) -> None:
        self.safe = safe
        self.accepted = accepted
        # Duplicates are removed at the end. PyLD's node map keeps one copy of each value per
        # (graph, subject, property) by JsonLdProcessor.compare_values, which agrees with
        # "the same quad" except in the cases that clear ``exact`` (see ``literal``).
        self.quads: list[tuple[str, str, str, str]] = []
        self.json_literals: dict[tuple[str, str, str], str] = {}
        self.blank = 0
        self.exact = True

    def new_blank(self) -> str:
        self.blank += 1
        return f"_:b{self.blank}"

    # JSON-LD 1.1 API §4.1.2 (Expansion Algorithm) for a map, fused with §7.1 (node map
    # generation) and §8.1 (to RDF). ``ctx`` is the active context, ``term`` the active
    # property's definition in it (None at the top).
    def node(
        self, ctx: ActiveContext, term: Term | None, element: dict[str, Any], graph: str
    ) -> str | None:
        keys = tuple(element)
        property_context = term.context if term is not None else None
        if "@context" in element:
            # Step 7 (a type-scoped context is reverted), step 8 (the active property's scoped
            # context), step 9: the map's own @context — the document's, or an embedded
            # credential's (a CLR carries whole OB credentials). Only shipped contexts, named
            # by URL; in safe mode only an accepted list.
            if ctx.previous is not None:
                ctx = ctx.previous
            if property_context is not None:
                ctx = ctx.scoped(property_context, override_protected=True)
            ctx = self.embedded_context(ctx, element, top=term is None)
            plan = _plan(ctx, keys)
        else:
            # Steps 7 and 8, memoised per (context, keys, property-scoped context).
            memo_key = (keys, id(property_context))
            hit = ctx.plans.get(memo_key)
            if hit is None or hit[0] is not property_context:
                # Step 7: a type-scoped context does not reach nested nodes, unless this map
                # is a value object or a lone node reference.
                start = ctx
                if ctx.previous is not None and not _plan(ctx, keys).keeps_context:
                    ctx = ctx.previous
                # Step 8: the active property's scoped context.
                if property_context is not None:
                    ctx = ctx.scoped(property_context, override_protected=True)
                hit = (property_context, ctx, _plan(ctx, keys))
                if len(start.plans) < 4096:
                    start.plans[memo_key] = hit
            ctx, plan = hit[1], hit[2]
        # Step 11: type-scoped contexts, looked up in the context before any of them applies,
        # in sorted order.
        type_ctx = ctx
        type_key = plan.type_key
        type_values: list[Any] = []
        if type_key is not None:
            raw_types = element[type_key]
            if type(raw_types) is list:
                type_values = raw_types
                for t in raw_types:
                    if type(t) is not str:
                        raise _Unsupported("a @type that is not a string")
                types = tuple(raw_types) if len(raw_types) < 2 else tuple(sorted(raw_types))
            elif type(raw_types) is str:
                type_values = [raw_types]
                types = (raw_types,)
            else:
                raise _Unsupported("a @type that is not a string")
            ctx = ctx.with_types(types)
            if ctx is not type_ctx:
                plan = _plan(ctx, keys)
        elif plan.type_keys:
            raise _Unsupported("two keys for @type")
        if plan.type_keys and plan.type_keys != [type_key]:
            raise _Unsupported("a @type alias defined by a type-scoped context")
        if plan.unsupported is not None:
            error = _Unsupported(plan.unsupported[1])
            error.parts.append(plan.unsupported[0])
            raise error
        if self.safe and type_key is not None:
            # Types first: an undefined type also leaves its scoped terms undefined.
            for index, t in enumerate(type_values):
                if not type_ctx.type_iri(t)[1]:
                    refusal = _Refuse(partial(UndefinedTerm, term=t, kind="type"))
                    if type(element[type_key]) is list:
                        refusal.parts.append(index)
                    refusal.parts.append(type_key)
                    raise refusal
        if plan.dropped and self.safe:
            # Step 13.3: a key that expands to neither an absolute IRI nor a keyword is dropped
            # (jsonld.js safe mode: 'invalid property').
            dropped = plan.dropped[0]
            refusal = _Refuse(lambda path: UndefinedTerm(path, dropped))
            refusal.parts.append(dropped)
            raise refusal

        if plan.value_key is not None:
            if plan.properties or plan.id_key is not None:
                raise _Unsupported("a value object with other entries")
            return self.value_object(type_ctx, term, element, plan)
        if plan.value_parts:
            raise _Unsupported("@language, @direction or @index on a node object")

        # The subject: its @id (step 13.4.3, against the document base) or a new blank node.
        id_key = plan.id_key
        if id_key is not None:
            raw_id = element[id_key]
            if type(raw_id) is not str:
                raise _Unsupported("an @id that is not a string")
            expanded = ctx.expand_id(raw_id)
            if expanded is None:
                self.relative(raw_id, id_key)
            subject = _iri(expanded)
        else:
            subject = self.new_blank()

        if type_key is not None:
            quads = self.quads
            for t in type_values:
                iri = type_ctx.type_iri(t)[0]
                if t.startswith("_:") or not _ABSOLUTE_IRI.match(iri):
                    raise _Unsupported("a blank-node or relative @type")
                quads.append((subject, RDF_TYPE, _type_iri(iri), graph))

        quads = self.quads
        for key, key_term in plan.properties:
            value = element[key]
            if type(value) is str:
                # The common case, inlined: one string under a plain property.
                how, suffix = key_term.compiled or _string_recipe(key_term)
                if how == _LITERAL:
                    quads.append(
                        (subject, key_term.predicate, f'"{escape_literal(value)}"{suffix}', graph)
                    )
                    continue
                if how == _IRI_VALUE:
                    value_iri = ctx.expand_id(value)
                    if value_iri is not None:
                        quads.append((subject, key_term.predicate, _iri(value_iri), graph))
                        continue
            try:
                self.property(ctx, subject, key, key_term, value, graph)
            except (_Refuse, _Unsupported) as error:
                error.parts.append(key)
                raise
        return subject

    def embedded_context(
        self, ctx: ActiveContext, element: dict[str, Any], *, top: bool
    ) -> ActiveContext:
        raw = element["@context"]
        if self.safe and not top:
            types = element.get("type")
            if "VerifiableCredential" not in (types if type(types) is list else [types]):
                refusal = _Refuse(
                    lambda path: ContextNotAllowed(
                        raw, "an @context is accepted only on an embedded credential", field=path
                    )
                )
                refusal.parts.append("@context")
                raise refusal
        items = raw if type(raw) is list else [raw]
        if not items or not all(type(item) is str for item in items):
            if self.safe:
                refusal = _Refuse(
                    lambda path: ContextNotAllowed(
                        raw, "embedded @context objects are not accepted", field=path
                    )
                )
                refusal.parts.append("@context")
                raise refusal
            raise _Unsupported("a @context object")
        urls = tuple(items)
        if self.safe and urls not in self.accepted:
            refusal = _Refuse(
                lambda path: ContextNotAllowed(
                    raw, f"this @context list is not accepted: {list(urls)!r}", field=path
                )
            )
            refusal.parts.append("@context")
            raise refusal
        return ctx.with_context(urls)

    def relative(self, value: str, key: str | int) -> NoReturn:
        if value.startswith("_:"):
            raise _Unsupported("a blank node identifier")
        if self.safe:
            refusal = _Refuse(
                lambda path: UnsafeValue(
                    path, f"{value!r} is not an absolute IRI (a relative reference is not signed)"
                )
            )
            refusal.parts.append(key)
            raise refusal
        # PyLD resolves it against a placeholder base (or drops it); let it.
        raise _Unsupported("a relative IRI")

    def value_object(
        self, type_ctx: ActiveContext, term: Term | None, element: dict[str, Any], plan: _Plan
    ) -> str | None:
        # §4.1.2 step 15 (value objects), with PyLD's checks; anything it would reject goes to
        # the reference, so that the same error is raised.
        value = element[plan.value_key]  # type: ignore[index]
        datatype = None
        if plan.type_key is not None:
            raw_type = element[plan.type_key]
            if type(raw_type) is not str:
                raise _Unsupported("a value object @type that is not a string")
            datatype, defined = type_ctx.type_iri(raw_type)
            if datatype == "@json" or not defined or datatype.startswith("_:"):
                raise _Unsupported("an unusual value object @type")
        parts = {iri: element[key] for iri, key in plan.value_parts}
        language = parts.get("@language")
        direction = parts.get("@direction")
        index = parts.get("@index")
        if language is not None:
            if type(language) is not str or language == "":
                raise _Unsupported("an unusual @language")
            if self.safe and not _BCP47.match(language):
                raise _Refuse(
                    lambda path: UnsafeValue(path, f"{language!r} is not a BCP 47 language tag")
                )
            language = language.lower()
        if direction is not None and direction not in ("ltr", "rtl"):
            raise _Unsupported("an unusual @direction")
        if index is not None and type(index) is not str:
            raise _Unsupported("an unusual @index")
        if datatype is not None and (language is not None or direction is not None):
            raise _Unsupported("a typed value with a language")
        if value is None:
            if self.safe:
                raise _Refuse(lambda path: UnsafeValue(path, "@value is null: it would be dropped"))
            return None
        if type(value) not in (str, bool, int, float):
            raise _Unsupported("a @value that is not a scalar")
        if language is not None and type(value) is not str:
            raise _Unsupported("a language-tagged non-string")
        if term is None:
            if self.safe:
                raise _Refuse(lambda path: UnsafeValue(path, "a free-floating value is dropped"))
            return None
        return self.literal(value, datatype, language, direction, index)

    def property(
        self, ctx: ActiveContext, subject: str, key: str, term: Term, value: Any, graph: str
    ) -> None:
        # §4.1.2 step 13.7–13.13 for an entry whose key is a term or IRI.
        if term.reverse:
            raise _Unsupported("a reverse property")
        if term.context is not None:
            # Step 13.7: the value is expanded in the term's scoped context.
            term_ctx = ctx.scoped(term.context, override_protected=True)
            value_term = term_ctx.terms.get(key) or term_ctx.term(key)
        else:
            term_ctx, value_term = ctx, term
        predicate = term.predicate
        if predicate == RDF_TYPE:
            # PyLD keeps these apart from @type values, so a type given both ways is written
            # twice; let the reference do that.
            self.exact = False
        kind = type(value)
        if kind is str and not term.is_list and not term.is_graph and term.type != "@json":
            self.quads.append((subject, predicate, self.scalar(term_ctx, value_term, value), graph))
            return
        if term.type == "@json":
            # Step 13.4.x: a JSON literal, kept as it is (rdf:JSON, §8.6 step 5). PyLD compares
            # JSON values with Python equality (True == 1), so more than one is its call.
            if term.container - {"@set"}:
                raise _Unsupported("@json in a list or graph container")
            if value is None or kind is list:
                raise _Unsupported("a null or array JSON literal")
            lexical = json_canonicalize(value).decode("utf-8")
            self.quads.append(
                (subject, predicate, f'"{escape_literal(lexical)}"^^<{RDF_JSON}>', graph)
            )
            self.exact = (
                self.exact
                and self.json_literals.setdefault((subject, predicate, graph), lexical) == lexical
            )
            return
        if term.is_graph:
            # Step 13.12: each value becomes its own named graph, a blank node.
            for index, element in enumerate(value if kind is list else [value]):
                if element is None:
                    continue
                if type(element) is list:
                    raise _Unsupported("an array inside a graph container")
                if (
                    self.safe
                    and type(element) is dict
                    and len(element) == 1
                    and term_ctx.term(next(iter(element))).iri == "@id"
                ):
                    # jsonld.js drops it ('object with only @id'), so it would not be signed.
                    refusal = _Refuse(
                        lambda path: UnsafeValue(path, "a graph holding only an id is dropped")
                    )
                    if kind is list:
                        refusal.parts.append(index)
                    raise refusal
                name = self.new_blank()
                try:
                    items = self.values(term_ctx, value_term, element, False, name)
                except (_Refuse, _Unsupported) as error:
                    if kind is list:
                        error.parts.append(index)
                    raise
                for item in items or ():
                    if item[0] == '"':
                        raise _Unsupported("a literal inside a graph container")
                    self.quads.append((subject, predicate, name, graph))
            return
        items = self.values(term_ctx, value_term, value, False, graph)
        if items is None:
            return
        if term.is_list:
            # Step 13.11, then §8.1 step 1.3.2.5 (list to RDF): a new rdf:first/rest chain.
            self.quads.append((subject, predicate, self.rdf_list(items, graph), graph))
            return
        for item in items:
            self.quads.append((subject, predicate, item, graph))

    def values(
        self, ctx: ActiveContext, term: Term, value: Any, inside_list: bool, graph: str
    ) -> list[str] | None:
        """PyLD's ``_expand(ctx, key, value)``: ``None`` when expansion yields null, else the
        RDF terms of the values (nested arrays flattened, §4.1.2 step 5)."""
        kind = type(value)
        if kind is dict:
            item = self.node(ctx, term, value, graph)
            return None if item is None else [item]
        if kind is list:
            inside_list = inside_list or term.is_list
            out: list[str] = []
            for index, element in enumerate(value):
                if inside_list and type(element) is list:
                    raise _Unsupported("a list of lists")
                try:
                    items = self.values(ctx, term, element, inside_list, graph)
                except (_Refuse, _Unsupported) as error:
                    error.parts.append(index)
                    raise
                if items:
                    out.extend(items)
            return out
        if value is None:
            return None
        return [self.scalar(ctx, term, value)]

    def scalar(self, ctx: ActiveContext, term: Term, value: Any) -> str:
        # §5.3 Value Expansion, then §8.6 Object to RDF Conversion.
        if term.kind != _PROPERTY:
            raise _Unsupported("a value under a keyword")
        coerce = term.type
        if type(value) is str:
            if coerce == "@id":
                iri = ctx.expand_id(value)
                if iri is None:
                    if value.startswith("_:"):
                        raise _Unsupported("a blank node identifier")
                    if self.safe:
                        raise _Refuse(
                            lambda path: UnsafeValue(
                                path,
                                f"{value!r} is not an absolute IRI "
                                "(a relative reference is not signed)",
                            )
                        )
                    raise _Unsupported("a relative IRI")
                return _iri(iri)
            if coerce == "@vocab":
                iri, defined = ctx.type_iri(value)
                if not defined:
                    if self.safe:
                        raise _Refuse(lambda path: UndefinedTerm(path, value, kind="value"))
                    raise _Unsupported("an undefined @vocab value")
                return _iri(iri)
        if coerce is not None and coerce not in ("@id", "@vocab", "@none"):
            if coerce == "@json":
                raise _Unsupported("@json coercion below a scoped context")
            return self.literal(value, coerce, None, None, None)
        if type(value) is str:
            return self.literal(value, None, term.language, term.direction, None)
        return self.literal(value, None, None, None, None)

    def literal(
        self,
        value: Any,
        datatype: str | None,
        language: str | None,
        direction: str | None,
        index: str | None,
    ) -> str:
        # §8.6 Object to RDF Conversion, in PyLD's order of cases, rdfDirection i18n-datatype.
        if index is not None or direction is not None or datatype == XSD_STRING:
            # Where PyLD's value comparison and quad identity part: two values differing only
            # in @index (kept twice), in @direction (first one kept) or in an explicit
            # xsd:string (kept twice). The reference handles those.
            self.exact = False
        kind = type(value)
        if self.safe and (kind is int or kind is float) and _unportable_number(value):
            raise _Refuse(
                lambda path: UnsafeValue(
                    path,
                    f"the number {value!r} is canonicalised differently by JSON-LD "
                    "implementations (jsonld.js reads it as another number), so its signature "
                    "would not verify everywhere; round it or write it as a string",
                )
            )
        if kind is bool:
            lexical = "true" if value else "false"
            datatype_out = datatype or XSD_BOOLEAN
        elif kind is float and not value.is_integer():
            if not math.isfinite(value):
                raise _Unsupported("a non-finite number")
            lexical = _canonical_double(value)
            datatype_out = datatype or XSD_DOUBLE
        elif datatype == XSD_DOUBLE:
            raise _Unsupported("an xsd:double coercion")
        elif kind is int or kind is float:
            if abs(value) >= 1e21:
                lexical = _canonical_double(value)
                datatype_out = datatype or XSD_DOUBLE
            else:
                lexical = str(int(value))
                datatype_out = datatype or XSD_INTEGER
        elif kind is str:
            lexical = value
            if direction is not None:
                datatype_out = f"{I18N}{language or ''}_{direction}"
            elif language is not None:
                datatype_out = RDF_LANGSTRING
            else:
                datatype_out = datatype or XSD_STRING
        else:
            raise _Unsupported("a value that is not a JSON scalar")
        serialized = f'"{escape_literal(lexical)}"'
        if datatype_out == RDF_LANGSTRING:
            if not language:
                raise _Unsupported("rdf:langString without a language")
            serialized += "@" + language
        elif datatype_out != XSD_STRING:
            serialized += f"^^<{escape_iri(datatype_out)}>"
        return serialized

    def rdf_list(self, items: list[str], graph: str) -> str:
        if not items:
            return RDF_NIL
        head = node = self.new_blank()
        last = len(items) - 1
        for position, item in enumerate(items):
            rest = self.new_blank() if position < last else RDF_NIL
            self.quads.append((node, RDF_FIRST, item, graph))
            self.quads.append((node, RDF_REST, rest, graph))
            node = rest
        return head


def _utf16_code_units(line: str) -> bytes:
    return line.encode("utf-16-be", "surrogatepass")


def _label_blank_nodes(
    quads: list[tuple[str, str, str, str]], sort_key: Callable[[str], Any] | None = None
) -> str | None:
    """RDFC-1.0 §4.4.3 steps 2–5 and 7 when every blank node's first-degree hash is unique;
    ``None`` when two share a hash (step 6, Hash N-Degree Quads, is left to the reference).
    ``sort_key`` replaces code point order (see :func:`canonicalize`)."""
    # Graph names from the walk are "" or a blank node; subjects and objects start with "<",
    # '"' or "_".
    lines: list[str] = []
    blank_quads: list[tuple[str, str, str, str]] = []
    # Step 2: the blank node to quads map. (Quads from a JSON tree never name one blank node
    # twice, so a list per node matches both PyLD and rdf-canonize.)
    mentions: dict[str, list[tuple[str, str, str, str]]] = {}
    for quad in quads:
        s, p, o, g = quad
        if s[0] == "_" or o[0] == "_" or g:
            blank_quads.append(quad)
            if s[0] == "_":
                mentions.setdefault(s, []).append(quad)
            if o[0] == "_":
                mentions.setdefault(o, []).append(quad)
            if g:
                mentions.setdefault(g, []).append(quad)
        else:
            lines.append(f"{s} {p} {o} .\n")
    # Step 5.3: §4.6 Hash First Degree Quads — the node's quads with itself as _:a and every
    # other blank node as _:z, sorted in code point order, SHA-256.
    by_hash: dict[str, str] = {}
    sha256 = hashlib.sha256
    for blank, its_quads in mentions.items():
        hashed = []
        for s, p, o, g in its_quads:
            if s[0] == "_":
                s = "_:a" if s == blank else "_:z"
            if o[0] == "_":
                o = "_:a" if o == blank else "_:z"
            if g:
                hashed.append(f"{s} {p} {o} {'_:a' if g == blank else '_:z'} .\n")
            else:
                hashed.append(f"{s} {p} {o} .\n")
        hashed.sort(key=sort_key)
        digest = sha256("".join(hashed).encode("utf-8")).hexdigest()
        if digest in by_hash:
            return None
        by_hash[digest] = blank
    # Step 5.4: canonical identifiers issued in hash order.
    labels = {by_hash[digest]: f"_:c14n{n}" for n, digest in enumerate(sorted(by_hash))}
    # Step 7: relabel, serialize, sort in code point order.
    for s, p, o, g in blank_quads:
        if s[0] == "_":
            s = labels[s]
        if o[0] == "_":
            o = labels[o]
        lines.append(f"{s} {p} {o} {labels[g]} .\n" if g else f"{s} {p} {o} .\n")
    lines.sort(key=sort_key)
    return "".join(lines)


def _walk(
    document: Mapping[str, Any], *, safe: bool, accepted: frozenset[tuple[str, ...]]
) -> _Walk | None:
    """The quads of ``document``, or ``None`` when only the reference can produce them."""
    if not isinstance(document, dict):
        if safe:
            raise UnsafeValue("", "the document must be a JSON object")
        return None
    if safe:
        # The document's own list first, for the clearest refusal (context_list's messages).
        context_list(document, accepted=accepted)
    walk = _Walk(safe=safe, accepted=accepted)
    try:
        walk.node(initial_context(), None, document, "")
    except _Refuse as refusal:
        raise refusal.build(_path(refusal.parts)) from None
    except _Unsupported as unsupported:
        if safe:
            raise UnsafeValue(
                _path(unsupported.parts),
                f"{unsupported.reason} is not accepted in a signed document",
            ) from None
        return None
    except RecursionError:
        # PyLD recurses as deeply, so there is no reference to fall back to either.
        raise UnsafeValue("", "the document is nested too deeply to process") from None
    return walk


def check_safe(
    document: Mapping[str, Any], *, accepted: frozenset[tuple[str, ...]] = CREDENTIAL_CONTEXTS
) -> None:
    """Raise if ``document`` would not pass JSON-LD safe mode (see
    :func:`learningcity.credentials.jsonld.expand_safe`)."""
    _walk(document, safe=True, accepted=accepted)


def canonicalize(
    document: Mapping[str, Any],
    *,
    safe: bool = False,
    accepted: frozenset[tuple[str, ...]] = CREDENTIAL_CONTEXTS,
    code_unit_order: bool = False,
) -> str:
    """RDFC-1.0 canonical N-Quads of ``document``, equal to ``canonicalize_reference(document)``.

    With ``safe=True`` the document is first held to JSON-LD safe mode and its ``@context`` to
    ``accepted``: :class:`~learningcity.credentials.jsonld.UndefinedTerm`,
    :class:`~learningcity.credentials.jsonld.UnsafeValue`,
    :class:`~learningcity.credentials.jsonld.ContextNotAllowed` or
    :class:`~learningcity.credentials.jsonld.UnknownContext` is raised instead of hashing data
    that expansion would drop.

    ``code_unit_order=True`` sorts N-Quads by UTF-16 code units, as rdf-canonize (JavaScript)
    does, instead of the code point order RDFC-1.0 §4.4 and PyLD use. The two differ only when
    lines first differ at a character above U+FFFF on one side and U+E000–U+FFFF on the other
    (an emoji against its variation selector U+FE0F, say). It has no reference to fall back
    to, so a document that needs one raises :class:`~learningcity.credentials.jsonld.UnsafeValue`.
    """
    walk = _walk(document, safe=safe, accepted=accepted)
    if walk is not None and walk.exact:
        quads = list(set(walk.quads))
        result = _label_blank_nodes(quads, _utf16_code_units if code_unit_order else None)
        if result is not None:
            return result
    if code_unit_order:
        raise UnsafeValue("", "this document cannot be canonicalised in UTF-16 code unit order")
    return canonicalize_reference(document)
