"""The demo shows the matching workflow: automatic matches and a short review queue of realistic pairs."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from fairthread.matching.models import MatchCandidate
from fairthread.supplychain.models import Facility

pytestmark = pytest.mark.django_db


def test_setupdemo_leaves_a_short_review_queue_and_some_automatic_matches():
    out = io.StringIO()
    call_command("setupdemo", facilities=2000, stdout=out, stderr=io.StringIO())
    pending = MatchCandidate.objects.filter(status=MatchCandidate.Status.PENDING)
    automatic = MatchCandidate.objects.filter(status=MatchCandidate.Status.CONFIRMED, method="automatic")
    assert 3 <= pending.count() <= 6
    assert automatic.count() >= 1
    counts = (Facility.all_objects.count(), MatchCandidate.objects.count())
    call_command("setupdemo", facilities=2000, stdout=io.StringIO(), stderr=io.StringIO())
    assert (Facility.all_objects.count(), MatchCandidate.objects.count()) == counts
