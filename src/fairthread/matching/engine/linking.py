# ruff: noqa: S608 -- SQL is built from the engine's own table names; values are passed as parameters.
"""Linking an upload against a registry: deterministic pass, then the Splink model (DuckDB backend).

``Registry`` prepares the registry once (normalised columns, blocking keys, name term frequencies) inside a
DuckDB database; ``Registry.link(rows)`` links a new upload against it without re-linking the registry to
itself (Splink's ``predict_between``), so a single new facility is resolved in well under a second.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from fairthread.matching.engine.areas import PlaceVocabulary, area_rows
from fairthread.matching.engine.explain import explanation_lines, level_label, pair_evidence, unit_number_ignored
from fairthread.matching.engine.model import (
    BLOCK_KEY_CAP,
    COMMON_ADDRESS_SHARE,
    COMMON_WORD_SHARE,
    ENGINE_VERSION,
    MatchModel,
    ModelError,
    Thresholds,
    load_model,
)
from fairthread.matching.engine.records import prepare_table
from fairthread.matching.engine.text import process_kinds

MATCH, REVIEW, NEW = "match", "review", "new"

# Comparisons that measure the same thing twice: a shared address, its numbers and nearby coordinates all say
# "same place" (and neighbours in one industrial park share all three); the name, its unit number and the
# native-script name all say "same name". The model treats comparisons as independent, so within a group only
# the strongest positive evidence counts (evidence against always counts).
CORRELATED = (
    ("mw_name", "mw_tf_adj_name", "mw_native_name", "mw_name_numbers"),
    ("mw_address", "mw_address_numbers", "mw_distance"),
)


def adjusted_weight(candidate: Mapping[str, Any]) -> float:
    weight = float(candidate["weight"])
    ignored = set()
    if unit_number_ignored(candidate):
        weight -= float(candidate["mw_name_numbers"])
        ignored.add("mw_name_numbers")
    for group in CORRELATED:
        values = [float(candidate[k]) for k in group if candidate.get(k) is not None and k not in ignored]
        positives = sorted((v for v in values if v > 0), reverse=True)
        if len(positives) > 1:
            weight -= sum(positives[1:])
    return weight


# Levels of the place comparisons that say nothing about which site: sharing an area, a lone short number, or
# nothing; coordinates further apart than 500 m.
# Names that are the same name, not only the same distinctive words ("Lopes Confecções" / "Lopes Malhas").
_SAME_NAME = {"equal", "equal ignoring spaces or order", "nearly equal"}
_NO_SITE = {"address": {"same area, one address within the other", "one address only the other's town",
                         "same area only", "different"},
            "address_numbers": {"missing", "only a short number shared", "different"},
            "distance": {"missing or imprecise", "within 2 km", "within 10 km", "further than 10 km"}}


def place_disagrees(candidate: Mapping[str, Any], levels: Mapping[str, Sequence[str]]) -> bool:
    """Both records give an address and nothing in the addresses or coordinates says they are one site (only an
    area, a lone short number, or nothing in common) — unless the names are the same and one address lies within
    the other (a partial address: the model's "same area, one address within the other"). A name alone does not
    merge two records then: groups run several plants under one name ("Hamid Fabrics, Ashulia" / "Hamid
    Fabrics, Narsingdi"), and merging them would join two factories' workers, audits and grievances. Such a
    pair goes to a person."""

    def label(field: str) -> str:
        return level_label(candidate, levels, field) or "missing"

    if label("address") == "missing":
        return False
    if label("address") == "same area, one address within the other" and label("name") in _SAME_NAME:
        return False  # the same name at a partial address within the full one ("Ashulia, Savar" / "Plot 5, ...")
    return all(label(field) in no_site or label(field).startswith("missing") for field, no_site in _NO_SITE.items())


def kinds_differ(candidate: Mapping[str, Any]) -> tuple[list[str], list[str]] | None:
    """The kinds of work the two names say, when both say one and they have none in common (else None)."""
    left = process_kinds(str(candidate.get("name_norm_l") or ""))
    right = process_kinds(str(candidate.get("name_norm_r") or ""))
    if left and right and not left & right:
        return sorted(right), sorted(left)
    return None


def probability(weight: float) -> float:
    if weight > 60:
        return 1.0
    if weight < -60:
        return 0.0
    odds = 2.0**weight
    return odds / (1.0 + odds)


@dataclass
class Candidate:
    registry_id: str
    probability: float
    weight: float
    explanation: list[str] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    # Why this pair may not be merged automatically, whatever its score ("" when it may).
    person_decides: str = ""


def decide(scored: Sequence[Candidate], t: Thresholds) -> tuple[str, list[str]]:
    """The decision on candidates sorted best first, and the notes that explain it (added to the best
    candidate's explanation): ``match`` needs the score, the margin over the runner-up and no reason for a
    person to decide (``Candidate.person_decides``)."""
    top = scored[0]
    runner_up = scored[1] if len(scored) > 1 else None
    clear = runner_up is None or top.weight - runner_up.weight >= t.margin
    notes = []
    if top.probability >= t.match and not clear and runner_up is not None:
        notes.append(f"another registry facility ({runner_up.registry_id}) scores almost as high")
    if top.probability >= t.match and top.person_decides:
        notes.append(top.person_decides)
    if top.probability >= t.match and clear and not top.person_decides:
        return MATCH, notes
    return (REVIEW if top.probability >= t.review else NEW), notes


def person_decides(candidate: Mapping[str, Any], levels: Mapping[str, Sequence[str]]) -> str:
    """Why a pair may not be merged automatically, whatever its score: the place does not agree, the names carry
    different unit numbers ("Unit 1" / "Unit 2": two units of one group, often in one compound), or the names say
    different kinds of work. "" when none holds."""
    if place_disagrees(candidate, levels):
        return "both give an address and nothing in them says it is the same site: a person decides"
    if level_label(candidate, levels, "name_numbers") == "different":
        return "the names carry different unit numbers: two units of one group? A person decides"
    kinds = kinds_differ(candidate)
    if kinds:
        return (f"the names say different kinds of work ({', '.join(kinds[0])} / {', '.join(kinds[1])}): two "
                "units of one group? A person decides")
    return ""


@dataclass
class MatchResult:
    """One input row's outcome. ``score`` is the best candidate's match probability (1.0 for a deterministic
    match, 0.0 when there is no candidate); ``method`` says which pass decided. ``evidence``: the model's
    per-field evidence for the best candidate, ``[{"field", "label", "for_match": True/False/None, "text"}]``
    (``explanation`` is the same in phrases, plus any note on the decision)."""

    input_id: str
    decision: str
    matched_id: str
    score: float
    method: str
    model_version: str
    explanation: list[str] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class LinkRun:
    results: list[MatchResult]
    pairs_compared: int
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)


def _blocking_sql(table: str, out: str) -> str:
    """``table`` plus the blocking keys, judged by their frequency in the registry (stats tables)."""
    return f"""
    CREATE OR REPLACE TABLE {out} AS
    WITH toks AS (
        SELECT unique_id, country, unnest(list_distinct(list_concat(name_tokens, alt_tokens))) AS tok
        FROM {table}
    ), core AS (
        SELECT x.unique_id, list(x.tok ORDER BY x.pos) AS name_core
        FROM (
            SELECT t.unique_id, t.country, t.addr_tokens, unnest(t.name_specific) AS tok,
                   generate_subscripts(t.name_specific, 1) AS pos
            FROM {table} t
        ) x
        LEFT JOIN reg_tok_df d ON d.country = x.country AND d.tok = x.tok
        LEFT JOIN reg_addr_df ad ON ad.country = x.country AND ad.tok = x.tok
        LEFT JOIN reg_country_n cn ON cn.country = x.country
        LEFT JOIN area_words aw ON aw.country = x.country AND aw.tok = x.tok AND aw.in_names
        WHERE coalesce(d.df, 0) <= greatest(5, {COMMON_WORD_SHARE} * coalesce(cn.n, 0))
          -- a place name (in its own address, or used in the country's addresses at least as often as in its
          -- names: "Dongguan", "Katunayake", or known as one: engine.areas) is shared by neighbours, not
          -- distinctive
          AND NOT list_contains(x.addr_tokens, x.tok)
          AND coalesce(ad.df, 0) < greatest(1, coalesce(d.df, 0))
          AND aw.tok IS NULL
        GROUP BY x.unique_id
    ), acore AS (
        SELECT x.unique_id, list(x.tok ORDER BY x.pos) AS addr_core
        FROM (
            SELECT t.unique_id, t.country, unnest(t.addr_tokens) AS tok, generate_subscripts(t.addr_tokens, 1) AS pos
            FROM {table} t
        ) x
        LEFT JOIN reg_addr_df d ON d.country = x.country AND d.tok = x.tok
        LEFT JOIN reg_country_n cn ON cn.country = x.country
        LEFT JOIN area_words aw ON aw.country = x.country AND aw.tok = x.tok
        -- words common in the country's registry, known area words (engine.areas) and postcodes (five digits or
        -- more) say where, not which site
        WHERE coalesce(d.df, 0) <= greatest(5, {COMMON_ADDRESS_SHARE} * coalesce(cn.n, 0)) AND aw.tok IS NULL
          AND NOT regexp_matches(x.tok, '^[0-9]{{5,}}$')
          -- a two-letter word ("an" of "Tong'an", "Huai'an") is too short to say anything
          AND (length(x.tok) >= 3 OR regexp_matches(x.tok, '[0-9]'))
        GROUP BY x.unique_id
    ), abt AS (
        SELECT x.unique_id, list(x.tok ORDER BY d.df, x.tok)[1:2] AS addr_block
        FROM (SELECT unique_id, country, unnest(addr_tokens) AS tok FROM {table}) x
        JOIN reg_addr_df d ON d.country = x.country AND d.tok = x.tok
        WHERE d.df <= {BLOCK_KEY_CAP}
          AND (length(x.tok) >= 3 OR (length(x.tok) = 2 AND regexp_matches(x.tok, '^[0-9]+$')))
        GROUP BY x.unique_id
    ), bt AS (
        SELECT toks.unique_id, list(toks.tok ORDER BY d.df, toks.tok)[1:2] AS block_tokens
        FROM toks JOIN reg_tok_df d ON d.country = toks.country AND d.tok = toks.tok
        WHERE d.df <= {BLOCK_KEY_CAP} AND length(toks.tok) >= 3
        GROUP BY toks.unique_id
    )
    SELECT t.*,
        coalesce(bt.block_tokens, []::VARCHAR[]) AS block_tokens,
        coalesce(abt.addr_block, []::VARCHAR[]) AS addr_block,
        coalesce(core.name_core, []::VARCHAR[]) AS name_core,
        coalesce(acore.addr_core, []::VARCHAR[]) AS addr_core,
        -- plot, building and house numbers (the core has no postcode); "000" is the end of one ("95600-000")
        list_filter(coalesce(acore.addr_core, []::VARCHAR[]),
                    lambda x: regexp_matches(x, '[0-9]') AND NOT regexp_matches(x, '^0+$')) AS addr_core_numbers,
        CASE WHEN length(t.name_key) >= 4 AND p.n <= {BLOCK_KEY_CAP} THEN substr(t.name_key, 1, 6) END
            AS name_prefix,
        CASE WHEN length(t.alt_key) >= 4 AND coalesce(pa.n, 0) <= {BLOCK_KEY_CAP} THEN substr(t.alt_key, 1, 6) END
            AS alt_prefix,
        CASE WHEN t.lat IS NOT NULL AND c.n <= {BLOCK_KEY_CAP}
            THEN floor(t.lat * 50)::BIGINT::VARCHAR || ':' || floor(t.lng * 50)::BIGINT::VARCHAR END AS geo_cell
    FROM {table} t
    LEFT JOIN bt ON bt.unique_id = t.unique_id
    LEFT JOIN core ON core.unique_id = t.unique_id
    LEFT JOIN acore ON acore.unique_id = t.unique_id
    LEFT JOIN abt ON abt.unique_id = t.unique_id
    LEFT JOIN reg_prefix_df p ON p.country = t.country AND p.prefix = substr(t.name_key, 1, 6)
    LEFT JOIN reg_prefix_df pa ON pa.country = t.country AND pa.prefix = substr(t.alt_key, 1, 6)
    LEFT JOIN reg_cell_df c ON c.country = t.country
        AND c.cell = floor(t.lat * 50)::BIGINT::VARCHAR || ':' || floor(t.lng * 50)::BIGINT::VARCHAR
    """


def _keys_sql(table: str) -> str:
    """Every blocking key of ``table``'s records as (country, key, unique_id) rows: the union of what the blocking
    rules compare (a prefix from a name or a native-script name is one kind of key, so both alt-name rules are
    covered)."""
    return f"""
    SELECT country, 'n:' || name_norm AS key, unique_id FROM {table} WHERE name_norm IS NOT NULL
    UNION ALL SELECT country, 'b:' || unnest(block_tokens), unique_id FROM {table}
    UNION ALL SELECT country, 'a:' || unnest(addr_block), unique_id FROM {table}
    UNION ALL SELECT country, 'p:' || name_prefix, unique_id FROM {table} WHERE name_prefix IS NOT NULL
    UNION ALL SELECT country, 'p:' || alt_prefix, unique_id FROM {table} WHERE alt_prefix IS NOT NULL
    UNION ALL SELECT country, 'g:' || geo_cell, unique_id FROM {table} WHERE geo_cell IS NOT NULL
    """


class Registry:
    """A registry prepared for linking. ``rows``: dicts in the matching file format (country as ISO-2)."""

    def __init__(
        self,
        rows: Iterable[Mapping[str, Any]] | pa.Table,
        model: MatchModel | None = None,
        *,
        threads: int | None = None,
        memory_limit: str | None = None,
        database: str | Path | None = None,
    ) -> None:
        """``database``: a DuckDB file to keep the prepared registry in (reopen it with ``Registry.open``), so
        that preparing a large registry is paid once, not on every upload."""
        start = time.perf_counter()
        self.model = model or load_model()
        self.places = PlaceVocabulary(self.model.area_words)
        self._connect(database, threads, memory_limit)
        prepared = rows if isinstance(rows, pa.Table) else prepare_table(rows, "registry", self.places)
        self.timings: dict[str, float] = {"prepare_s": time.perf_counter() - start}
        self.size = prepared.num_rows
        self.con.register("reg_arrow", prepared)
        self._x("CREATE TABLE reg_prepared AS SELECT * FROM reg_arrow")
        self.con.unregister("reg_arrow")
        del prepared
        self._x("""
            CREATE TABLE reg_tok_df AS
            SELECT country, tok, count(*) AS df FROM (
                SELECT country, unnest(list_distinct(list_concat(name_tokens, alt_tokens))) AS tok FROM reg_prepared
            ) GROUP BY ALL""")
        self._x("""
            CREATE TABLE reg_addr_df AS
            SELECT country, tok, count(*) AS df FROM (
                SELECT country, unnest(addr_tokens) AS tok FROM reg_prepared
            ) GROUP BY ALL""")
        self._x("CREATE TABLE reg_country_n AS SELECT country, count(*) AS n FROM reg_prepared GROUP BY ALL")
        self.country_n = dict(self.con.execute("SELECT country, n FROM reg_country_n").fetchall())
        # Which engine and model prepared the file: a file from another one is prepared again, not trusted.
        self._x("CREATE TABLE registry_meta (engine_version VARCHAR, model_version VARCHAR)")
        self.con.execute("INSERT INTO registry_meta VALUES (?, ?)", [ENGINE_VERSION, self.model.version]).fetchall()
        self._x("CREATE TABLE area_words (country VARCHAR, tok VARCHAR, in_names BOOLEAN)")
        areas = area_rows(self.model.area_words, self.country_n)
        if areas:
            self.con.executemany("INSERT INTO area_words VALUES (?, ?, ?)", areas)
        self._x("""
            CREATE TABLE reg_prefix_df AS
            SELECT country, prefix, count(*) AS n FROM (
                SELECT country, substr(name_key, 1, 6) AS prefix FROM reg_prepared WHERE name_key IS NOT NULL
                UNION ALL
                SELECT country, substr(alt_key, 1, 6) FROM reg_prepared WHERE alt_key IS NOT NULL
            ) GROUP BY ALL""")
        self._x("""
            CREATE TABLE reg_cell_df AS
            SELECT country, floor(lat * 50)::BIGINT::VARCHAR || ':' || floor(lng * 50)::BIGINT::VARCHAR AS cell,
                   count(*) AS n
            FROM reg_prepared WHERE lat IS NOT NULL GROUP BY ALL""")
        self._x(_blocking_sql("reg_prepared", "registry"))
        self._x("DROP TABLE reg_prepared")
        # Blocking keys of the registry, once: each upload first picks the registry records that share a key with
        # it, and Splink then works on those only (not on the whole registry at every upload).
        self._x(f"CREATE TABLE reg_keys AS {_keys_sql('registry')}")
        self._x("""
            CREATE TABLE tf_name_norm AS
            SELECT name_norm, tf_name_norm FROM (
                SELECT name_norm, count(*) AS n, (count(*) - 1)::DOUBLE / sum(count(*)) OVER () AS tf_name_norm
                FROM registry WHERE name_norm IS NOT NULL GROUP BY name_norm
            ) WHERE n > 1""")
        self.timings["index_s"] = time.perf_counter() - start - self.timings["prepare_s"]
        self._batch = 0
        self._splink: tuple[Any, Any, Any] | None = None

    def _connect(self, database: str | Path | None, threads: int | None, memory_limit: str | None) -> None:
        self.con = duckdb.connect(str(database) if database else ":memory:")
        if threads:
            self._x(f"SET threads = {int(threads)}")
        if memory_limit:
            self._x(f"SET memory_limit = '{memory_limit}'")
        self._x("SET preserve_insertion_order = false")

    @classmethod
    def prepared_by(cls, database: str | Path) -> tuple[str, str] | None:
        """(engine version, model version) that prepared the file, or None (no such file, not a prepared
        registry, or prepared by an engine that did not record it)."""
        if not Path(database).exists():
            return None
        try:
            con = duckdb.connect(str(database), read_only=True)
        except duckdb.Error:
            return None
        try:
            row = con.execute("SELECT engine_version, model_version FROM registry_meta").fetchone()
        except duckdb.Error:
            return None
        finally:
            con.close()
        return (str(row[0]), str(row[1])) if row else None

    @classmethod
    def open(cls, database: str | Path, model: MatchModel | None = None, *, threads: int | None = None,
             memory_limit: str | None = None) -> Registry:
        """A registry prepared earlier into ``database`` (see ``__init__``)."""
        self = cls.__new__(cls)
        start = time.perf_counter()
        self.model = model or load_model()
        self.places = PlaceVocabulary(self.model.area_words)
        self._connect(database, threads, memory_limit)
        tables = {name for (name,) in self.con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        missing = {"registry", "reg_country_n", "reg_tok_df", "reg_addr_df", "tf_name_norm", "reg_keys",
                   "area_words", "registry_meta"} - tables
        if not missing and self.con.execute("SELECT engine_version FROM registry_meta").fetchall() != [
                (ENGINE_VERSION,)]:
            missing = {"registry_meta"}
        if missing:
            self.con.close()
            raise ModelError(f"{database} was not prepared by this version of the matching engine "
                             f"({ENGINE_VERSION}): prepare the registry again")
        self.country_n = dict(self.con.execute("SELECT country, n FROM reg_country_n").fetchall())
        self.size = int(sum(self.country_n.values()))
        self.timings = {"open_s": time.perf_counter() - start}
        self._batch = 0
        self._splink = None
        for (name,) in self.con.execute("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'inp_%' "
                                        "OR table_name = 'reg_candidates' OR table_name LIKE '__splink__%'"
                                        ).fetchall():
            self._x(f"DROP TABLE {name}")  # left over from an interrupted run
        return self

    # -- linking ---------------------------------------------------------------------------------------------

    def link(self, rows: Iterable[Mapping[str, Any]], thresholds: Thresholds | None = None) -> LinkRun:
        """Resolve each input row: deterministic pass, then the model for the rest."""
        thresholds = thresholds or self.model.thresholds
        start = time.perf_counter()
        self._batch += 1
        inp_name = "inp_current"
        prepared = prepare_table(rows, "input", self.places)
        order = prepared.column("unique_id").to_pylist()
        self.con.register("inp_arrow", prepared)
        self._x(f"CREATE TABLE {inp_name}_prepared AS SELECT * FROM inp_arrow")
        self.con.unregister("inp_arrow")
        timings = {"prepare_s": time.perf_counter() - start}

        results: dict[str, MatchResult] = {}
        version = self.model.version
        for input_id, matched_id, method in self._deterministic(f"{inp_name}_prepared"):
            what = "same OS ID" if method == "os_id" else "same name, address and country after normalising"
            evidence = [{"field": "os_id" if method == "os_id" else "name_address", "label":
                         "OS ID" if method == "os_id" else "Name and address", "for_match": True, "text": what}]
            results[input_id] = MatchResult(input_id, MATCH, matched_id, 1.0, method, version, [what],
                                            evidence=evidence)
        timings["deterministic_s"] = time.perf_counter() - start - sum(timings.values())

        # The model sees only what the deterministic pass left open.
        self._x(
            f"DELETE FROM {inp_name}_prepared WHERE unique_id IN (SELECT unnest(?::VARCHAR[]))", [list(results)]
        )
        self._x(_blocking_sql(f"{inp_name}_prepared", inp_name))
        self._x(f"DROP TABLE {inp_name}_prepared")
        remaining = self.con.execute(f"SELECT count(*) FROM {inp_name}").fetchall()[0][0]
        pairs = 0
        if remaining:
            best, pairs = self._predict(inp_name)
            timings["model_s"] = time.perf_counter() - start - sum(timings.values())
            for input_id, candidates in best.items():
                results[input_id] = self._decide(input_id, candidates, thresholds)
        self._x(f"DROP TABLE {inp_name}")
        out = []
        for input_id in order:
            out.append(results.get(input_id) or MatchResult(input_id, NEW, "", 0.0, "none", version,
                                                            ["no candidate in the same country"]))
        elapsed = time.perf_counter() - start
        timings["decide_s"] = elapsed - sum(timings.values())
        return LinkRun(out, pairs, elapsed, timings)

    def _deterministic(self, table: str) -> list[tuple[str, str, str]]:
        rows = self.con.execute(f"""
            WITH by_os AS (
                SELECT i.unique_id AS input_id, min(r.unique_id) AS matched_id, 'os_id' AS method
                FROM {table} i JOIN registry r ON i.os_id = r.os_id
                GROUP BY i.unique_id
            ), by_key AS (
                SELECT i.unique_id AS input_id, min(r.unique_id) AS matched_id, 'exact' AS method
                FROM {table} i JOIN registry r
                  ON i.country = r.country AND i.name_norm = r.name_norm AND i.addr_norm = r.addr_norm
                WHERE i.unique_id NOT IN (SELECT input_id FROM by_os)
                GROUP BY i.unique_id
            )
            SELECT * FROM by_os UNION ALL SELECT * FROM by_key""").fetchall()
        return [(str(a), str(b), str(c)) for a, b, c in rows]

    def _predict(self, inp_name: str) -> tuple[dict[str, list[dict[str, Any]]], int]:
        from splink import DuckDBAPI, Linker

        candidates = "reg_candidates"
        self._x(f"""
            CREATE OR REPLACE TABLE {candidates} AS
            SELECT * FROM registry WHERE unique_id IN (
                SELECT k.unique_id FROM reg_keys k
                JOIN ({_keys_sql(inp_name)}) i ON i.country = k.country AND i.key = k.key
            )""")
        if self._splink is None:
            # Built once per registry (parsing the settings costs a tenth of a second): the same two table names
            # hold each upload's candidates and rows.
            db_api = DuckDBAPI(connection=self.con)
            reg_sdf = db_api.register(candidates)
            inp_sdf = db_api.register(inp_name)
            linker = Linker([reg_sdf, inp_sdf], dict(self.model.splink), log_level=logging.WARNING,
                            validate_settings=False)
            tf = db_api.register("tf_name_norm")
            linker.table_management.register_term_frequency_lookup(tf, "name_norm")
            self._splink = (linker, reg_sdf, inp_sdf)
        linker, reg_sdf, inp_sdf = self._splink
        predictions = linker.inference.predict_between(reg_sdf, inp_sdf, warning_mode="never")
        table = predictions.physical_name
        pairs = self.con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
        gamma_cols = [c for c in self._columns(table) if c.startswith("gamma_")]
        mw_cols = [c for c in self._columns(table) if c.startswith("mw_") or c.startswith("bf_")]
        rows = self.con.execute(f"""
            WITH ranked AS (
                SELECT *, row_number() OVER (PARTITION BY unique_id_r ORDER BY match_weight DESC, unique_id_l) AS rn
                FROM {table}
                QUALIFY rn <= 3
            )
            SELECT k.unique_id_r, k.unique_id_l, k.match_probability, k.match_weight, r.country,
                   {", ".join(f"k.{c}" for c in gamma_cols + mw_cols)},
                   r.name_norm AS name_norm_l, i.name_norm AS name_norm_r, r.legal_form AS legal_form_l,
                   i.legal_form AS legal_form_r, r.addr_tokens AS addr_tokens_l, i.addr_tokens AS addr_tokens_r,
                   r.alt_key AS alt_key_l, i.alt_key AS alt_key_r, r.name_key AS name_key_l, i.name_key AS name_key_r,
                   r.name_core AS name_core_l, i.name_core AS name_core_r,
                   r.addr_core_numbers AS addr_numbers_l, i.addr_core_numbers AS addr_numbers_r,
                   r.addr_core AS addr_core_l, i.addr_core AS addr_core_r,
                   r.name_numbers AS name_numbers_l, i.name_numbers AS name_numbers_r
            FROM ranked k
            JOIN {candidates} r ON r.unique_id = k.unique_id_l
            JOIN {inp_name} i ON i.unique_id = k.unique_id_r
            ORDER BY k.unique_id_r, k.rn""").fetchall()
        names = ["input_id", "registry_id", "probability", "weight", "country", *gamma_cols, *mw_cols,
                 "name_norm_l", "name_norm_r", "legal_form_l", "legal_form_r", "addr_tokens_l", "addr_tokens_r",
                 "alt_key_l", "alt_key_r", "name_key_l", "name_key_r", "name_core_l", "name_core_r",
                 "addr_numbers_l", "addr_numbers_r", "addr_core_l", "addr_core_r", "name_numbers_l", "name_numbers_r"]
        best: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            record = dict(zip(names, row, strict=True))
            best.setdefault(str(record["input_id"]), []).append(record)
        predictions.drop_table_from_database_and_remove_from_cache()
        self._x(f"DROP TABLE {candidates}")
        return best, int(pairs)

    def _x(self, sql: str, params: list[Any] | None = None) -> None:
        """Run a statement to completion (DuckDB keeps a pending result open until it is fetched)."""
        self.con.execute(sql, params or []).fetchall()

    def _columns(self, table: str) -> list[str]:
        return [r[0] for r in self.con.execute(f"DESCRIBE {table}").fetchall()]

    def _decide(self, input_id: str, candidates: list[dict[str, Any]], t: Thresholds) -> MatchResult:
        levels = self.model.levels()
        scored = []
        for c in candidates:
            weight = adjusted_weight(c)
            evidence = pair_evidence(c, levels)
            scored.append(Candidate(str(c["registry_id"]), probability(weight), weight, explanation_lines(evidence),
                                    evidence, person_decides(c, levels)))
        scored.sort(key=lambda c: (-c.weight, c.registry_id))
        top = scored[0]
        decision, notes = decide(scored, t)
        return MatchResult(input_id, decision, top.registry_id, round(min(max(top.probability, 0.0), 1.0), 6),
                           "model", self.model.version, [*top.explanation, *notes], scored, list(top.evidence))

    def close(self) -> None:
        self.con.close()
