"""The screener: an indexed list of entities and the scorer that compares a name against its candidates.

Candidate generation is indexed (blocking): every name variant of every list entity is posted under its
tokens, 4-letter token prefixes and suffixes; a query looks up only its own keys, skips keys so common that
they say nothing (generic words shared by hundreds of names), ranks the candidates by the weight of the keys
they share, and scores only the few whose shared weight could reach the review threshold. A cheap upper bound
per candidate (which of its tokens relate to any query token at all) skips the full alignment of candidates
that cannot reach the review bar; no decision depends on the skipped work.

Score: a weighted token alignment. Each token weighs its inverse document frequency over the list's entities,
times 0.3 for generic business words and 0.45 for place names. Matched tokens count with their similarity
(1 for equal, abbreviation or spacing differences; the normalised Levenshtein similarity for typos); the
score is the matched weight of the list name's tokens divided by the list name's total weight plus half the
weight of the query's unmatched tokens. Then: a country mismatch subtracts 0.15, differing numbers 0.25;
a Xinjiang address for a Xinjiang entity adds 0.05. The score is clipped to [0, 1].
"""

from __future__ import annotations

import gc
import hashlib
import json
import math
import operator
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields

from rapidfuzz.distance import Levenshtein
from rapidfuzz.fuzz import ratio

from fairthread.screening.engine import vocabulary as V
from fairthread.screening.engine.text import Analysis, Variant, analyse, canonical_tokens, place_tokens

ENGINE_VERSION = "fairthread-screening/1.0"

GENERIC_FACTOR = 0.3
PLACE_FACTOR = 0.45
UNMATCHED_QUERY_FACTOR = 0.5
COUNTRY_MISMATCH_PENALTY = 0.15
NUMBER_MISMATCH_PENALTY = 0.25
LEGAL_FAMILY_PENALTY = 0.03
XINJIANG_SUPPORT = 0.05
FUZZY_MIN = 0.75  # token similarity below this is no match
PREFIX_KEY = 4
PARTIAL_KEY = 0.7  # a shared 4-letter prefix or suffix counts for this much of the token's weight
MAX_CANDIDATES = 12
# A candidate is scored only if the weight of the keys it shares could bring it near the review bar.
PRUNE_FRACTION = 0.3


@dataclass(frozen=True)
class Thresholds:
    """Decision bars. Defaults: hit at 0.85, review at 0.70 (OpenSanctions' "alert-to-human" bar)."""

    hit: float = 0.85
    review: float = 0.70

    def __post_init__(self) -> None:
        if not 0 <= self.review <= self.hit <= 1:
            raise ValueError("thresholds must satisfy 0 <= review <= hit <= 1")

    def decide(self, score: float) -> str:
        if score >= self.hit:
            return "hit"
        if score >= self.review:
            return "review"
        return "clear"


@dataclass(frozen=True)
class Entity:
    """One list entity: an organisation (or vessel, place, person) named on a restricted list."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    country: str = ""  # ISO alpha-2, "" if unknown
    address: str = ""
    list_name: str = ""  # e.g. "CBP WRO/Finding", "UFLPA Entity List"
    effective_date: str = ""  # ISO date, "" if unknown
    schema: str = "Organization"
    source: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(n for n in (self.name, *self.aliases) if n.strip()))

    @property
    def fingerprint(self) -> str:
        """A stable hash of the entity's data: changes when (and only when) what is screened against changes."""
        data = asdict(self)
        data["aliases"] = sorted(set(self.aliases))
        blob = json.dumps(data, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class Query:
    id: str
    name: str
    country: str = ""  # ISO alpha-2 or ""
    address: str = ""


@dataclass(frozen=True)
class Hit:
    query_id: str
    query_name: str
    decision: str  # "hit" | "review" | "clear"
    score: float
    entity_id: str  # "" when there is no candidate
    matched_name: str  # the list name or alias that matched best
    explanation: str
    engine_version: str = ENGINE_VERSION
    entity_fingerprint: str = ""
    list_name: str = ""
    features: dict[str, float] = field(default_factory=dict)


@dataclass
class _Form:
    entity: int
    name: str
    analysis: Analysis
    variant: Variant
    weights: tuple[float, ...] = ()
    total: float = 0.0
    compact: str = ""
    pairs: tuple[tuple[str, float], ...] = ()  # (token, weight)


class _Probe:
    """One query variant, with the relations of its tokens to list tokens cached for the whole query."""

    __slots__ = ("q", "qw", "compact", "duplicates", "masks", "bits", "_info", "_outside")

    def __init__(self, q: tuple[str, ...], qw: tuple[float, ...]) -> None:
        self.q = q
        self.qw = qw
        self.compact = "".join(q)
        self.duplicates = len(set(q)) != len(q)
        self.masks: dict[str, int] = {}
        self.bits = {a: 1 << i for i, a in enumerate(q)}
        self._info = [(1 << i, a, len(a), len(a) >= 4 and not a.isdigit()) for i, a in enumerate(q)]
        self._outside: dict[int, float] = {}

    def outside(self, bits: int) -> float:
        """Total weight of the query tokens whose bit is not in ``bits`` (summed in token order)."""
        total = self._outside.get(bits)
        if total is None:
            total = self._outside[bits] = sum(w for i, w in enumerate(self.qw) if not bits >> i & 1)
        return total

    def relation_mask(self, b: str) -> int:
        """Bit i set if query token i could match list token ``b`` in any step of the alignment."""
        mask = 0
        lb = len(b)
        b_pairable = lb >= 4 and not b.isdigit()
        for bit, a, la, a_pairable in self._info:
            # equal, abbreviation, a piece of a spacing join, or a possible typo
            if a in b or b in a or (
                    b_pairable and a_pairable and 4 * abs(la - lb) <= (la if la > lb else lb)
                    and Levenshtein.normalized_similarity(a, b, score_cutoff=FUZZY_MIN) >= FUZZY_MIN):
                mask |= bit
        return mask


@dataclass
class Stats:
    """Counters for tests and benchmarks: how many name pairs were scored (blocking keeps this small)."""

    queries: int = 0
    comparisons: int = 0


class Screener:
    """Screen names against a list. Build once per list version; ``screen`` is read-only and thread-safe."""

    def __init__(self, entities: Iterable[Entity], thresholds: Thresholds | None = None) -> None:
        self.thresholds = thresholds or Thresholds()
        self.entities: list[Entity] = list(entities)
        self.stats = Stats()
        self._forms: list[_Form] = []
        self._entity_places: list[frozenset[str]] = []
        self._fingerprints = [entity.fingerprint for entity in self.entities]
        for index, entity in enumerate(self.entities):
            seen_tokens: set[tuple[str, ...]] = set()
            for name in entity.names:
                analysis = analyse(name)
                for variant in analysis.variants:
                    # Names that normalise alike ("ACME CO." and "Acme Company") are compared once.
                    if variant.tokens and variant.tokens not in seen_tokens:
                        seen_tokens.add(variant.tokens)
                        self._forms.append(_Form(index, name, analysis, variant, compact="".join(variant.tokens)))
            places: set[str] = set(place_tokens(entity.address))
            for name in entity.names:
                places |= place_tokens(name)
            self._entity_places.append(frozenset(places))
        # Document frequency counts entities, not names, so a long alias list does not dilute a token.
        df: dict[str, int] = {}
        seen: dict[str, int] = {}
        for form in self._forms:
            for token in set(form.variant.tokens):
                if seen.get(token) != form.entity:
                    seen[token] = form.entity
                    df[token] = df.get(token, 0) + 1
        self._n = max(len(self.entities), 1)
        self._idf = {t: self._weight_of(t, d) for t, d in df.items()}
        self._unknown_weight = math.log(1 + self._n)
        self._vocabulary = frozenset(df)
        # Words a run-together token may be split into: the list's words, legal-form words, abbreviations.
        self._breakable = self._vocabulary | frozenset(V.LEGAL_TOKENS) | frozenset(V.ABBREVIATIONS)
        self._postings: dict[str, list[int]] = {}
        for number, form in enumerate(self._forms):
            form.weights = tuple(self.weight(t) for t in form.variant.tokens)
            form.total = sum(form.weights) or 1.0
            form.pairs = tuple(zip(form.variant.tokens, form.weights, strict=True))
            for key in self._keys(form.variant.tokens):
                self._postings.setdefault(key, []).append(number)
        self._max_postings = max(100, len(self._forms) // 100)
        self._max_partial = self._max_postings // 2
        self._totals = [form.total for form in self._forms]
        self._query_weights: dict[tuple[str, ...], tuple[float, ...]] = {}
        # Per query token, what it adds to each candidate's shared weight (query words repeat across names).
        self._token_keys: dict[str, tuple[int, str, dict[int, float] | None, float]] = {}
        # Tokens the list does not know -> the list words they split into, or None (``_word_break``).
        self._breaks: dict[str, list[str] | None] = {}
        # Highest name score that still cannot become a 'review' after the region bonus.
        self._floor = max(0.0, self.thresholds.review - XINJIANG_SUPPORT - 0.01)

    # -- weights and keys -------------------------------------------------------------------------------
    def _weight_of(self, token: str, df: int) -> float:
        return math.log(1 + self._n / df) * self._factor(token)

    @staticmethod
    def _factor(token: str) -> float:
        if token in V.GENERIC:
            return GENERIC_FACTOR
        if token in V.PLACES:
            return PLACE_FACTOR
        return 1.0

    def weight(self, token: str) -> float:
        weight = self._idf.get(token)
        if weight is None:
            return self._unknown_weight * self._factor(token)
        return weight

    @staticmethod
    def _keys(tokens: Sequence[str]) -> set[str]:
        keys: set[str] = set()
        for token in tokens:
            keys.add("t:" + token)
            if len(token) > PREFIX_KEY:
                keys.add("p:" + token[:PREFIX_KEY])
                keys.add("s:" + token[-PREFIX_KEY:])
        return keys

    def _split_run_together(self, tokens: tuple[str, ...]) -> tuple[str, ...]:
        """Split a token the list does not know into list words: "xinjiangzhongtai" -> "xinjiang zhongtai"."""
        out: list[str] = []
        changed = False
        for token in tokens:
            if len(token) < 6 or token in self._vocabulary or token.isdigit():
                out.append(token)
                continue
            if token in self._breaks:
                parts = self._breaks[token]
            else:
                if len(self._breaks) > 65536:
                    self._breaks.clear()
                parts = self._breaks[token] = self._word_break(token)
            if parts:
                changed = True
                out.extend(parts)
            else:
                out.append(token)
        if not changed:
            return tokens
        return tuple(canonical_tokens(out))

    def _word_break(self, token: str) -> list[str] | None:
        """Fewest known words that spell ``token`` exactly, or None."""
        n = len(token)
        best: dict[int, list[str]] = {0: []}
        for start in range(n - 1):
            prefix = best.get(start)
            if prefix is None:
                continue
            for end in range(start + 2, min(n, start + 16) + 1):
                piece = token[start:end]
                if piece in self._breakable:
                    current = best.get(end)
                    if current is None or len(prefix) + 1 < len(current):
                        best[end] = [*prefix, piece]
        return best.get(n)

    # -- candidate generation ----------------------------------------------------------------------------
    def _key_entry(self, token: str) -> tuple[int, str, dict[int, float] | None, float]:
        """(posting size, token, shared weight per name variant or None if only exact, token weight)."""
        postings = self._postings
        exact = postings.get("t:" + token, ())
        pre = suf = ()
        if len(token) > PREFIX_KEY:
            # Prefix and suffix keys are less selective: each is used only if it is rare enough.
            pre = postings.get("p:" + token[:PREFIX_KEY], ())
            suf = postings.get("s:" + token[-PREFIX_KEY:], ())
            pre = pre if len(pre) <= self._max_partial else ()
            suf = suf if len(suf) <= self._max_partial else ()
        size = len(exact) + len(pre) + len(suf)
        weight = self.weight(token)
        if not (pre or suf):
            return size, token, None, weight
        got = dict.fromkeys(pre, PARTIAL_KEY * weight)
        got.update(dict.fromkeys(suf, PARTIAL_KEY * weight))
        got.update(dict.fromkeys(exact, weight))
        return size, token, got, weight

    def _candidates(self, variants: Sequence[Variant]) -> list[int]:
        postings = self._postings
        shared: dict[int, float] = {}
        for variant in variants:
            keyed = []
            for token in set(variant.tokens):
                entry = self._token_keys.get(token)
                if entry is None:
                    if len(self._token_keys) > 8192:
                        self._token_keys.clear()  # bounded memory for long batches of new words
                    entry = self._token_keys[token] = self._key_entry(token)
                if entry[0]:
                    keyed.append(entry)
            usable = [k for k in keyed if k[0] <= self._max_postings]
            if not usable and keyed:
                # Only common words: look up the least common one rather than nothing.
                usable = [min(keyed)]
            for _, token, got, weight in usable:
                if got is not None:
                    for number, value in got.items():
                        shared[number] = shared.get(number, 0.0) + value
                else:
                    for number in postings["t:" + token]:
                        shared[number] = shared.get(number, 0.0) + weight
        if not shared:
            return []
        totals = self._totals
        ranked = [(value / totals[number], number) for number, value in shared.items()
                  if value >= PRUNE_FRACTION * totals[number]]
        ranked.sort(reverse=True)
        return [number for _, number in ranked[:MAX_CANDIDATES]]

    # -- scoring -----------------------------------------------------------------------------------------
    def _align(self, q: Sequence[str], qw: Sequence[float], q_dotted: frozenset[str], form: _Form,
               notes: list[str] | None) -> tuple[float, float]:
        """(matched weight of the list name, weight of the query's unmatched tokens); notes filled if given."""
        c = form.variant.tokens
        cw = form.weights
        if q == c:
            return form.total, 0.0
        # 1. equal tokens
        matched, q_free, c_free = _equal_tokens(q, c, cw)
        if not (q_free and c_free):
            return self._finish(q, qw, c, matched, q_free, c_free, notes)
        # Candidate typo/abbreviation pairs (step 3) depend only on the two tokens, so they are found once,
        # here, and serve both the bound below and step 3 (restricted to what the joins leave free).
        pairs: list[tuple[float, int, int]] = []
        c_related: set[int] = set()
        q_related: set[int] = set()
        for i in q_free:
            a = q[i]
            la = len(a)
            pairable = la >= 3 and not a.isdigit()
            for j in c_free:
                b = c[j]
                if a in b or b in a:  # abbreviation, or a piece of a spacing join
                    c_related.add(j)
                    q_related.add(i)
                if not pairable:
                    continue
                lb = len(b)
                if la < lb and b.startswith(a) and (la >= 4 or a in q_dotted):
                    pairs.append((0.95 if a in q_dotted else 0.8, i, j))
                elif la >= 4 and lb >= 4 and 4 * abs(la - lb) <= max(la, lb):
                    sim = Levenshtein.normalized_similarity(a, b, score_cutoff=FUZZY_MIN)
                    if sim >= FUZZY_MIN and not b.isdigit():
                        pairs.append((sim, i, j))
                        c_related.add(j)
                        q_related.add(i)
        if notes is None:
            # Upper bound: every list word related to some query word matched in full, and only query words
            # related to nothing left unmatched. Below the review floor, the rest cannot change a decision
            # (the reported candidate is always re-scored in full, with its explanation).
            best = matched + sum(cw[j] for j in c_related)
            least_q = sum(qw[i] for i in q_free if i not in q_related)
            if best < self._floor * (form.total + UNMATCHED_QUERY_FACTOR * least_q):
                return matched, sum(qw[i] for i in q_free)
        if q_free and c_free:
            # 2. spacing: one token on one side is two or three adjacent tokens on the other
            matched += _join(q, q_free, c, c_free, cw, notes, join_query=True)
            if q_free and c_free:
                matched += _join(c, c_free, q, q_free, cw, notes, join_query=False)
        if q_free and c_free and pairs:
            # 3. abbreviations and typos
            for sim, i, j in sorted(pairs, reverse=True):
                if i in q_free and j in c_free:
                    matched += sim * cw[j]
                    q_free.remove(i)
                    c_free.remove(j)
                    if notes is not None:
                        kind = "abbreviation" if c[j].startswith(q[i]) else "spelling"
                        notes.append(f"{kind} '{q[i]}' ~ '{c[j]}'")
        return self._finish(q, qw, c, matched, q_free, c_free, notes)

    @staticmethod
    def _finish(q: Sequence[str], qw: Sequence[float], c: Sequence[str], matched: float, q_free: list[int],
                c_free: list[int], notes: list[str] | None) -> tuple[float, float]:
        if notes is not None:
            if c_free:
                notes.append("not in the name: " + " ".join(c[j] for j in c_free))
            if q_free:
                notes.append("extra words: " + " ".join(q[i] for i in q_free))
        return matched, sum(qw[i] for i in q_free)

    def _probes(self, variants: Sequence[Variant]) -> list[_Probe]:
        return [_Probe(v.tokens, self._variant_weights(v)) for v in variants]

    def _cannot_reach(self, probe: _Probe, form: _Form) -> tuple[float, float] | None:
        """Cheap per-candidate bound from the query's token relations (cached per list token in ``probe``).

        Numerator: the weight of every list token related to some query token; denominator: the query tokens
        related to no list token stay unmatched. It is never below the bound inside ``_align``, so a candidate
        cut here would have been cut there too; for it, returns what ``_align`` would then return (the
        equal-token match), else None.
        """
        masks = probe.masks
        bits = probe.bits
        reached = matched = 0.0
        related = equal = 0
        for token, weight in form.pairs:
            mask = masks.get(token)
            if mask is None:
                mask = masks[token] = probe.relation_mask(token)
            if mask:
                reached += weight
                related |= mask
                bit = bits.get(token, 0)
                if bit and not equal & bit:
                    equal |= bit
                    matched += weight
        if reached >= self._floor * (form.total + UNMATCHED_QUERY_FACTOR * probe.outside(related)):
            return None
        if probe.duplicates:
            matched, q_free, _ = _equal_tokens(probe.q, form.variant.tokens, form.weights)
            return matched, sum(probe.qw[i] for i in q_free)
        return matched, probe.outside(equal)

    def _name_score(self, variants: Sequence[Variant], dotted: frozenset[str], form: _Form,
                    explain: bool, probes: list[_Probe] | None = None
                    ) -> tuple[float, list[str], Variant | None]:
        self.stats.comparisons += 1
        variant_weights = self._variant_weights
        best: tuple[float, list[str], Variant | None] = (0.0, [], None)
        for number, variant in enumerate(variants):
            q = variant.tokens
            if not q:
                continue
            notes: list[str] | None = [] if explain else None
            cut = None if probes is None else self._cannot_reach(probes[number], form)
            if cut is not None:
                matched, unmatched_q = cut
            else:
                matched, unmatched_q = self._align(q, variant_weights(variant), dotted, form, notes)
            score = matched / (form.total + UNMATCHED_QUERY_FACTOR * unmatched_q)
            if score < 0.9:
                compact_q, compact_c = "".join(q), form.compact
                if compact_q == compact_c:
                    score, notes = 1.0, ["same letters; only the spacing differs"]
                elif len(compact_c) >= 10:
                    r = ratio(compact_q, compact_c, score_cutoff=90) / 100
                    if r > score:
                        score, notes = r, [f"nearly the same letters ignoring spaces ({r:.2f})"]
            if best[2] is None or score > best[0]:
                best = (score, notes or [], variant)
        return best

    def _quick_score(self, probes: list[_Probe], form: _Form) -> float | None:
        """``_name_score`` of a candidate that every query variant's bound cuts (None if one does not)."""
        best = 0.0
        for probe in probes:
            if not probe.q:
                continue
            cut = self._cannot_reach(probe, form)
            if cut is None:
                return None
            score = cut[0] / (form.total + UNMATCHED_QUERY_FACTOR * cut[1])
            if score < 0.9:
                if probe.compact == form.compact:
                    score = 1.0
                elif len(form.compact) >= 10:
                    r = ratio(probe.compact, form.compact, score_cutoff=90) / 100
                    if r > score:
                        score = r
            if score > best:
                best = score
        self.stats.comparisons += 1
        return best

    def _variant_weights(self, variant: Variant) -> tuple[float, ...]:
        weights = self._query_weights.get(variant.tokens)
        if weights is None:
            if len(self._query_weights) > 4096:
                self._query_weights.clear()
            weights = self._query_weights[variant.tokens] = tuple(self.weight(t) for t in variant.tokens)
        return weights

    def _adjust(self, query: Query, analysis: Analysis, q_places: frozenset[str], form: _Form,
                name_score: float, words: list[str] | None) -> tuple[float, dict[str, float]]:
        """Legal-form, number, country and region adjustments to the name score."""
        entity = self.entities[form.entity]
        score = name_score
        features = {"name": round(name_score, 4)}
        q_family = {V.LEGAL_FAMILY.get(t, t) for t in analysis.legal_types}
        c_family = {V.LEGAL_FAMILY.get(t, t) for t in form.analysis.legal_types}
        if q_family and c_family:
            shown = (f"'{analysis.legal_text or '/'.join(sorted(analysis.legal_types))}' and "
                     f"'{form.analysis.legal_text or '/'.join(sorted(form.analysis.legal_types))}'")
            if q_family & c_family:
                if words is not None:
                    words.append(f"legal forms {shown} are the same type")
            else:
                score -= LEGAL_FAMILY_PENALTY
                features["legal_form"] = -LEGAL_FAMILY_PENALTY
                if words is not None:
                    words.append(f"legal forms {shown} differ")
        if analysis.numbers != form.analysis.numbers and (analysis.numbers or form.analysis.numbers):
            score -= NUMBER_MISMATCH_PENALTY
            features["numbers"] = -NUMBER_MISMATCH_PENALTY
            if words is not None:
                words.append("numbers differ")
        xinjiang_support = bool(q_places) and bool(self._entity_places[form.entity])
        if query.country and entity.country:
            if query.country == entity.country:
                if words is not None:
                    words.append(f"country matches ({entity.country})")
            elif not xinjiang_support:
                score -= COUNTRY_MISMATCH_PENALTY
                features["country"] = -COUNTRY_MISMATCH_PENALTY
                if words is not None:
                    words.append(f"country differs ({query.country} vs {entity.country})")
        if xinjiang_support:
            score += XINJIANG_SUPPORT
            features["region"] = XINJIANG_SUPPORT
            if words is not None:
                words.append("address in Xinjiang supports a Xinjiang entity")
        return min(1.0, max(0.0, score)), features

    def _explain(self, query: Query, analysis: Analysis, variants: Sequence[Variant], q_places: frozenset[str],
                 form: _Form) -> tuple[float, str, dict[str, float]]:
        name_score, notes, variant = self._name_score(variants, analysis.dotted, form, explain=True)
        entity = self.entities[form.entity]
        words: list[str] = []
        if name_score >= 0.999 and not notes:
            same = "same name"
            if analysis.legal_types or form.analysis.legal_types:
                same += " after removing legal form"
            words.append(same)
        else:
            words.append(f"name similarity {name_score:.2f}")
        if form.name != entity.name:
            words.append(f"matched alias '{form.name}'")
        for note in ((variant.note if variant else ""), form.variant.note):
            if note:
                words.append(note)
        for written, read in analysis.abbreviations:
            words.append(f"'{written}' read as '{read}'")
        words.extend(notes)
        score, features = self._adjust(query, analysis, q_places, form, name_score, words)
        return score, "; ".join(words), features

    # -- public ------------------------------------------------------------------------------------------
    def candidates(self, query: Query | str, limit: int = 5) -> list[Hit]:
        """All scored candidates for one name, best first (at most ``limit``), each with its decision."""
        if isinstance(query, str):
            query = Query(id="", name=query)
        self.stats.queries += 1
        analysis = analyse(query.name)
        variants = [Variant(self._split_run_together(v.tokens), v.kind, v.note) for v in analysis.variants]
        q_places = place_tokens(query.address) | place_tokens(query.name)
        best: dict[int, tuple[float, _Form]] = {}
        probes = self._probes(variants)
        for number in self._candidates(variants):
            form = self._forms[number]
            name_score = self._quick_score(probes, form)
            if name_score is None:
                name_score = self._name_score(variants, analysis.dotted, form, explain=False, probes=probes)[0]
            # Adjustments add at most the region bonus, so below the floor they cannot change any decision.
            score = name_score if name_score < self._floor else self._adjust(
                query, analysis, q_places, form, name_score, None)[0]
            if form.entity not in best or score > best[form.entity][0]:
                best[form.entity] = (score, form)

        def order(item: tuple[int, tuple[float, _Form]]) -> tuple[float, str]:
            return -item[1][0], self.entities[item[0]].id

        # The usual call wants only the best: min() finds it without sorting every candidate.
        ranked = [min(best.items(), key=order)] if limit == 1 and best else sorted(best.items(), key=order)[:limit]
        hits = []
        for index, (_, form) in ranked:
            entity = self.entities[index]
            # Words are built only for what is returned: most candidates are scored and dropped.
            score, explanation, features = self._explain(query, analysis, variants, q_places, form)
            score = round(score, 4)
            hits.append(Hit(
                query_id=query.id, query_name=query.name, decision=self.thresholds.decide(score), score=score,
                entity_id=entity.id, matched_name=form.name, explanation=explanation,
                entity_fingerprint=self._fingerprints[index], list_name=entity.list_name, features=features,
            ))
        return hits

    def screen_one(self, query: Query | str) -> Hit:
        """The best candidate for one name; a 'clear' Hit with score 0 and no entity when there is none."""
        if isinstance(query, str):
            query = Query(id="", name=query)
        found = self.candidates(query, limit=1)
        if found:
            return found[0]
        return Hit(query_id=query.id, query_name=query.name, decision="clear", score=0.0, entity_id="",
                   matched_name="", explanation="no list name shares a distinctive word with this name")

    def screen(self, queries: Iterable[Query | str], workers: int = 1) -> list[Hit]:
        """The best Hit per query, in order. ``workers`` > 1 forks processes (for large batches)."""
        queries = list(queries)
        if workers <= 1 or len(queries) < 2000:
            return [self.screen_one(q) for q in queries]
        return _screen_parallel(self, queries, workers)


def _equal_tokens(q: Sequence[str], c: Sequence[str], cw: Sequence[float]) -> tuple[float, list[int], list[int]]:
    """Match equal tokens: (matched weight of the list name, free query positions, free list positions)."""
    positions: dict[str, list[int]] = {}
    for i, token in enumerate(q):
        positions.setdefault(token, []).append(i)
    matched = 0.0
    c_free: list[int] = []
    used: set[int] = set()
    for j, token in enumerate(c):
        found = positions.get(token)
        if found:
            used.add(found.pop(0))
            matched += cw[j]
        else:
            c_free.append(j)
    return matched, [i for i in range(len(q)) if i not in used], c_free


def _join(a: Sequence[str], a_free: list[int], b: Sequence[str], b_free: list[int], bw: Sequence[float],
          notes: list[str] | None, join_query: bool) -> float:
    """Match a free token of ``b`` to 2-3 adjacent free tokens of ``a`` written together ("da wang" = "dawang").

    ``bw`` are the list-name weights: of ``b`` when ``join_query`` (a = query), of ``a`` otherwise.
    """
    matched = 0.0
    for j in list(b_free):
        target = b[j]
        if len(target) < 4:
            continue
        for i in a_free:
            first = a[i]
            if len(first) >= len(target) or not target.startswith(first) or i + 1 not in a_free:
                continue
            two = first + a[i + 1]
            if two == target:
                span = [i, i + 1]
            elif len(two) < len(target) and i + 2 in a_free and two + a[i + 2] == target:
                span = [i, i + 1, i + 2]
            else:
                continue
            for k in span:
                a_free.remove(k)
            b_free.remove(j)
            matched += bw[j] if join_query else sum(bw[k] for k in span)
            if notes is not None:
                notes.append(f"spacing: '{' '.join(a[k] for k in span)}' = '{target}'")
            break
    return matched


_SHARED: tuple[Screener, list[Query | str]] | None = None
_HIT_FIELDS = tuple(f.name for f in fields(Hit))
_HIT_VALUES = operator.attrgetter(*_HIT_FIELDS)  # a Hit's field values, in order, as one tuple


def _work(span: tuple[int, int]) -> list[tuple]:
    assert _SHARED is not None
    screener, queries = _SHARED
    # Plain tuples cross the process boundary much faster than dataclass instances.
    return [_HIT_VALUES(h) for h in map(screener.screen_one, queries[span[0]:span[1]])]


def _screen_parallel(screener: Screener, queries: list[Query | str], workers: int) -> list[Hit]:
    import multiprocessing

    global _SHARED
    # fork shares the built index and the queries with the workers: only index ranges are pickled
    _SHARED = (screener, queries)
    # Small chunks keep both workers busy to the end even when another process takes a core for a while; each
    # task is one chunk (Pool.map's default would bundle four chunks per task and leave a worker idle at the
    # end). The parent builds the hits of each chunk as it arrives, while the workers go on.
    size = max(1, math.ceil(len(queries) / (workers * 16)))
    spans = [(i, min(i + size, len(queries))) for i in range(0, len(queries), size)]
    hits: list[Hit] = []
    # Objects that exist before the fork are left out of garbage collection, so the workers' collections do not
    # touch (and copy) every page of the inherited index.
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for chunk in pool.imap(_work, spans, chunksize=1):
                hits.extend(Hit(*values) for values in chunk)
    finally:
        _SHARED = None
        gc.unfreeze()
    return hits
