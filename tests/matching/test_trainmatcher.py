"""`fairthread trainmatcher`: trains offline from a registry and real labelled pairs, writes a versioned model."""

from __future__ import annotations

import json

from tests.import_support import run_cli
from tests.matching.conftest import write_csv

PAIR_HEADER = ("pair,part,left_id,left_name,left_address,left_country,right_id,right_name,right_address,"
               "right_country\n")


def _registry(tmp_path, real_registry):
    rows = real_registry[:60]
    return write_csv(tmp_path / "registry.csv", rows, ["id", "name", "address", "country", "lat", "lng"]), rows


def test_trains_from_registry_and_real_pairs(tmp_path, capsys, real_registry):
    registry, rows = _registry(tmp_path, real_registry)
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(PAIR_HEADER
                     + "rp1,train,x1,Epyllion Washing Limited,\"Bhawal Mirzapur, Gazipur\",BD,y1,Epyllion Washing "
                       "Ltd.,\"Jangaliapara, Bhawal Mirzapur, Gazipur, 1703\",BD\n"
                     + "rp2,train,x2,Youngone (CEPZ) Limited,\"Plot #11-16,Sector 2,Chittagong\",BD,y2,Youngone "
                       "CEPZ Ltd,\"Plot 11-16, CEPZ, Chittagong\",BD\n"
                     + "rp3,dev,x3,Mill C,Road 2,BD,y3,Mill C,Road 2,BD\n", encoding="utf-8")
    out = tmp_path / "model.json"
    code, stdout, err = run_cli(["trainmatcher", "--registry", str(registry), "--real-pairs", str(pairs),
                                 "--output", str(out)], capsys)
    assert code == 0, err
    # 60 generated pairs (one per registry facility) and the 2 real pairs of the training part (not the dev one).
    assert "(60 generated and 2 real labelled pairs)" in stdout
    model = json.loads(out.read_text(encoding="utf-8"))
    meta = model["fairthread_model"]
    assert meta["format"] == 2 and meta["version"].startswith("2.2-")
    assert meta["training"]["real_pairs"] == 2 and meta["training"]["generated_pairs"] == 60
    assert meta["training"]["real_pairs_source"] == "pairs.csv"
    assert meta["training"]["registry_records"] == len(rows)


def test_no_real_pairs_trains_on_generated_pairs_only(tmp_path, capsys, real_registry):
    registry, _rows = _registry(tmp_path, real_registry)
    out = tmp_path / "model.json"
    code, stdout, err = run_cli(["trainmatcher", "--registry", str(registry), "--no-real-pairs", "--output",
                                 str(out)], capsys)
    assert code == 0, err
    assert "(60 generated and 0 real labelled pairs)" in stdout
    assert json.loads(out.read_text(encoding="utf-8"))["fairthread_model"]["training"]["real_pairs"] == 0


def test_bad_real_pairs_file_exits_1_naming_row_and_column(tmp_path, capsys, real_registry):
    registry, _rows = _registry(tmp_path, real_registry)
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(PAIR_HEADER + "rp1,train,x1,,Road 1,BD,y1,Mill A,Road 1,BD\n", encoding="utf-8")
    out = tmp_path / "model.json"
    code, _stdout, err = run_cli(["trainmatcher", "--registry", str(registry), "--real-pairs", str(pairs),
                                  "--output", str(out)], capsys)
    assert code == 1
    assert "row 2, column 'left_name': a value is required" in err
    assert not out.exists()


def test_retraining_is_reproducible_and_keeps_the_chosen_thresholds(tmp_path, capsys, real_registry):
    registry, _rows = _registry(tmp_path, real_registry)
    out, again = tmp_path / "model.json", tmp_path / "again.json"
    args = ["trainmatcher", "--registry", str(registry), "--no-real-pairs", "--seed", "7"]
    assert run_cli([*args, "--output", str(out)], capsys)[0] == 0
    model = json.loads(out.read_text(encoding="utf-8"))
    model["fairthread_model"]["thresholds"] = {"match": 0.42, "review": 0.07, "margin": 2.5}
    model["fairthread_model"]["training"]["thresholds"] = "chosen by hand for this test"
    out.write_text(json.dumps(model), encoding="utf-8")
    assert run_cli([*args, "--output", str(out)], capsys)[0] == 0
    assert run_cli([*args, "--output", str(again)], capsys)[0] == 0
    retrained = json.loads(out.read_text(encoding="utf-8"))["fairthread_model"]
    fresh = json.loads(again.read_text(encoding="utf-8"))["fairthread_model"]
    # Same registry and seed: same parameters, so the same version (it hashes the parameters only).
    assert retrained["version"] == fresh["version"] == model["fairthread_model"]["version"]
    assert retrained["thresholds"] == {"match": 0.42, "review": 0.07, "margin": 2.5}
    assert retrained["training"]["thresholds"] == "chosen by hand for this test"
    assert fresh["thresholds"] == {"match": 0.9, "review": 0.5, "margin": 2.0}  # Thresholds() defaults


def test_with_decisions_adds_the_pairs_people_confirmed_and_nothing_else(tmp_path, capsys, real_registry, people):
    from fairthread.matching.models import MatchCandidate
    from fairthread.matching.services import AUTOMATIC, new_candidate
    from tests.factories import make_facility

    def pair(a: str, b: str, *, status: str, by, method: str = "model") -> None:
        fa = make_facility(a, "BD", address="Plot 7, Ashulia, Savar")
        fb = make_facility(b, "BD", address="Plot 7 Ashulia Savar Dhaka")
        c = new_candidate(fa.pk, fb.pk, 0.7, [], [], method=method)
        MatchCandidate.objects.filter(pk=c.pk).update(status=status, decided_by=by)

    pair("Rahman Knit Ltd", "Rahman Knitting Limited", status=MatchCandidate.Status.CONFIRMED, by=people.analyst)
    pair("Karim Dyeing", "Karim Dyeing Mills", status=MatchCandidate.Status.REJECTED, by=people.analyst)
    pair("Star Wash", "Star Washing Ltd", status=MatchCandidate.Status.CONFIRMED, by=None, method=AUTOMATIC)
    pair("Delta Apparel", "Delta Apparels", status=MatchCandidate.Status.PENDING, by=None)
    registry, _rows = _registry(tmp_path, real_registry)
    out = tmp_path / "model.json"
    code, stdout, err = run_cli(["trainmatcher", "--registry", str(registry), "--no-real-pairs", "--with-decisions",
                                 "--output", str(out)], capsys)
    assert code == 0, err
    # only the pair a person confirmed: not the rejected, the automatic or the pending one
    assert "(60 generated and 1 real labelled pairs)" in stdout
    meta = json.loads(out.read_text(encoding="utf-8"))["fairthread_model"]
    assert meta["training"]["real_pairs"] == 1
    assert meta["training"]["real_pairs_source"] == "1 stored decisions"
