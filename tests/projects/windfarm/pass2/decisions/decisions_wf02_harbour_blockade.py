# wf02_harbour_blockade -- my hand decisions.
# Not actors: "PORTMOOR" (dateline), "Portmoor harbour", "Selkie Bank", "the association",
# "the developer", "fishing crews", "Environmental groups", "the trust", "the government",
# "the Dunmore coal plant" (facility).

ACTORS = [
    ("Northwind Offshore", 1, "COMPANY", "nwo_1"),
    ("Carrick Bay Fishermen’s Association", 1, "CIVIC_GROUP", "cbfa_1"),
    ("Northwind", 2, "COMPANY", "nw_2"),              # inside Quinlan's quote
    ("Moira Quinlan", 1, "PERSON", "quinlan_1"),
    ("Quinlan", 2, "PERSON", "quinlan_2"),
    ("Northwind Offshore", 2, "COMPANY", "nwo_2"),    # "A spokesman for Northwind Offshore"
    ("Northwind", 4, "COMPANY", "nw_4"),              # "According to Northwind"
    ("Marine Licensing Authority", 1, "AUTHORITY", "mla_long"),
    ("MLA", 1, "AUTHORITY", "mla_1"),
    ("MLA", 2, "AUTHORITY", "mla_2"),
    ("Priya Raman", 1, "PERSON", "raman_1"),          # "Dr" left out
    ("Coastal Wildlife Trust", 1, "CIVIC_GROUP", "cwt_1"),
    ("Portmoor Harbour Board", 1, "AUTHORITY", "phb_1"),
    ("Clara Voss", 1, "PERSON", "voss_1"),
]

CLAIMS = [
    ("a safety zone requested by the developer would close grounds that supply nearly a third of the langoustine landed in the county",
     1, "cbfa_1", "fishing_restrictions", "oppose", "s_cbfa_zone"),
    # turbines in the middle of the fishing grounds -> about the wind farm itself
    ("We have fished the Selkie Bank for four generations, and now Northwind wants to put ninety turbines in the middle of it",
     1, "quinlan_1", "offshore_wind_farm", "oppose", "s_quinlan_generations"),
    # resumed quotation, runs over the paragraph break (includes the re-opening quote mark)
    ("If this zone goes ahead as drawn, half of the boats in this harbour will be tied up within five years.\n\n“We are not against wind power. We are against being told, after the fact, that our living is the price of it",
     1, "quinlan_1", "fishing_restrictions", "oppose", "s_quinlan_zone"),
    ("the association could accept a small exclusion zone around each turbine, but not a ban on trawling across the whole site",
     1, "quinlan_2", "fishing_restrictions", "mixed", "s_quinlan_accept"),
    ("the zone was “a legal and safety requirement, not a choice",
     1, "nwo_2", "fishing_restrictions", "support", "s_nwo_requirement"),
    ("the zone would cover less than a tenth of the bank and leave the richest grounds open to trawlers",
     1, "nw_4", "fishing_restrictions", "support", "s_nw_tenth"),
    # procedural
    ("it would publish a draft decision in June",
     1, "mla_long", "fishing_restrictions", "no_position", "s_mla_june"),
    ("Closing the bank to trawlers may be the best thing to happen to this seabed in fifty years",
     1, "raman_1", "fishing_restrictions", "support", "s_raman_seabed"),
    ("But the turbines will kill seabirds, and nobody has yet shown us how many",
     1, "raman_1", "offshore_wind_farm", "oppose", "s_raman_seabirds"),
    # "She added" -> Priya Raman
    ("the trust supported the government’s plan to close the Dunmore coal plant, “the biggest polluter on this coast",
     1, "raman_1", "coal_plant_closure", "support", "s_raman_coal"),
    # end of the protest -> other; "p.m." keeps its abbreviation dot, the comma after it is cut
    ("The blockade ended peacefully shortly after 2 p.m.",
     1, "phb_1", "other", "no_position", "s_phb_ended"),
]

DOC_STANCES = {
    "offshore_wind_farm": "oppose",        # Quinlan, Raman (seabirds)
    "fishing_restrictions": "mixed",       # fishermen oppose; Northwind + Raman support; Quinlan mixed
    "coal_plant_closure": "support",       # Raman via the trust
    "grid_connection": "no_position",
    "price_support": "no_position",
}
