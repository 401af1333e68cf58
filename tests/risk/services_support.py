"""A small supply chain in the database for the risk service, web, API and CLI tests.

Northwind (the brand) buys from:
- Dhaka CMT (BD, tier 1) ← Gazipur Fabric Mill (BD, tier 2) ← Jiangsu Yarn (CN, tier 3), whose cotton is
  declared to come from Xinjiang (a state-imposed forced-labour region);
- Porto Garments (PT, tier 1) ← Braga Weaving (PT, tier 2): a complete, low-risk chain.
- Tiruppur Spinning (IN, Tamil Nadu) supplies Gazipur Fabric Mill too: 70 % migrant workers, hostel.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from fairthread.supplychain.models import Facility
from fairthread.supplychain.services import recompute_tiers
from tests.factories import People, make_facility, make_link


@dataclass
class Chain:
    dhaka: Facility
    gazipur: Facility
    jiangsu: Facility
    tiruppur: Facility
    porto: Facility
    braga: Facility

    @property
    def bangladesh_side(self) -> set[int]:
        return {self.dhaka.pk, self.gazipur.pk, self.jiangsu.pk, self.tiruppur.pk}

    @property
    def portugal_side(self) -> set[int]:
        return {self.porto.pk, self.braga.pk}


def make_chain(people: People) -> Chain:
    dhaka = make_facility("Dhaka CMT", "BD", brand_ref="NW-001", region="Dhaka", facility_type="final product assembly",
                          workers_count=1200, pct_migrant=Decimal("5"), pct_agency=Decimal("10"), dormitory=False,
                          recruitment_agents=False, organisation=people.supplier_org)
    gazipur = make_facility("Gazipur Fabric Mill", "BD", brand_ref="NW-002", region="Dhaka",
                            facility_type="fabric mill", workers_count=800, pct_migrant=Decimal("10"),
                            pct_agency=Decimal("5"), dormitory=False, recruitment_agents=False)
    jiangsu = make_facility("Jiangsu Yarn", "CN", brand_ref="NW-003", region="Jiangsu", facility_type="spinning",
                            workers_count=300)
    tiruppur = make_facility("Tiruppur Spinning", "IN", brand_ref="NW-004", region="Tamil Nadu",
                             facility_type="spinning", workers_count=900, pct_female=Decimal("85"),
                             pct_migrant=Decimal("70"), pct_agency=Decimal("0"), dormitory=True,
                             recruitment_agents=True)
    porto = make_facility("Porto Garments", "PT", brand_ref="NW-005", region="Porto",
                          facility_type="final product assembly", workers_count=150, pct_migrant=Decimal("5"),
                          pct_agency=Decimal("5"), dormitory=False, recruitment_agents=False)
    braga = make_facility("Braga Weaving", "PT", brand_ref="NW-006", region="Braga", facility_type="fabric mill",
                          workers_count=90, pct_migrant=Decimal("0"), pct_agency=Decimal("0"), dormitory=False,
                          recruitment_agents=False)
    make_link(people.brand, dhaka, material="cotton", volume_share=Decimal("60"))
    make_link(people.brand, porto, material="cotton", volume_share=Decimal("40"))
    make_link(dhaka, gazipur, material="cotton", volume_share=Decimal("100"))
    make_link(gazipur, jiangsu, material="cotton", volume_share=Decimal("50"))
    make_link(gazipur, tiruppur, material="cotton", volume_share=Decimal("50"))
    make_link(jiangsu, None, material="cotton", origin_country="CN", origin_region="Xinjiang")
    make_link(porto, braga, material="cotton", volume_share=Decimal("100"))
    recompute_tiers()
    return Chain(*(Facility.objects.get(pk=f.pk) for f in (dhaka, gazipur, jiangsu, tiruppur, porto, braga)))


RESULT_FIELDS = ("facility_id", "severity", "likelihood", "band", "exposure", "irremediable", "scale", "scope",
                 "irremediability", "contributions", "explanation", "uncertainty")


def results_of(qs) -> dict[int, tuple]:
    return {row[0]: row for row in qs.values_list(*RESULT_FIELDS)}
