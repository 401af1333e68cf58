"""Per-field evidence in words, sorted from the engine's explanation (what the review screen shows)."""

from __future__ import annotations

from fairthread.matching.evidence import evidence_from_explanation


def test_phrases_are_sorted_under_their_field_with_their_direction():
    explanation = [
        "same country",
        "address shares 'ashulia', 'savar' (for)",
        "names equal after removing legal form 'Co., Ltd.' (for)",
        "coordinates more than 10 km apart (against)",
        "different numbers in the address ('5' / '9') (against)",
        "native-script name reads 'xinxing', similar to the other name",
        "different parent companies",
        "another registry facility (R7) scores almost as high",
    ]
    evidence = evidence_from_explanation(explanation)
    assert [(e["field"], e["for_match"]) for e in evidence] == [
        ("name", True),
        ("native_name", None),
        ("address", True),
        ("address_numbers", False),
        ("distance", False),
        ("parent_company", False),
        ("country", True),
        ("other", False),
    ]
    assert evidence[0] == {"field": "name", "label": "Name", "for_match": True,
                           "text": "names equal after removing legal form 'Co., Ltd.'"}
    assert evidence[4]["text"] == "coordinates more than 10 km apart"


def test_deterministic_matches_explain_themselves_too():
    assert evidence_from_explanation(["same OS ID"]) == [
        {"field": "os_id", "label": "Open Supply Hub ID", "for_match": True, "text": "same OS ID"}]
    assert evidence_from_explanation(["", "  "]) == []
