# wf05_cable_route -- my hand decisions.
# "Meridian Grid" in the headline acts (moves the substation) -> actor.
# Not actors: "HOLMBY" dateline, "Holmby", "Crane Hill", "Selkie Bank", "The company",
# "the council", "the community council", "The union", "the group".
# "Meridian Grid on Monday published a revised route" = action, not a statement.
# "Brussels has listed ..." = narration of an action -> Brussels is an actor, no statement.

ACTORS = [
    ("Meridian Grid", 1, "COMPANY", "mg_head"),
    ("Meridian Grid", 2, "COMPANY", "mg_2"),
    ("Carrick County Council", 1, "AUTHORITY", "ccc_1"),
    ("Lena Hartmann", 1, "PERSON", "hartmann_1"),
    ("Meridian Grid", 3, "COMPANY", "mg_3"),          # "Meridian Grid’s director"
    ("Hartmann", 2, "PERSON", "hartmann_2"),
    ("Carrick County Council", 2, "AUTHORITY", "ccc_2"),
    ("Martin Hale", 1, "PERSON", "hale_1"),
    ("Save Carrick Bay", 1, "CIVIC_GROUP", "scb_1"),
    ("Meridian Grid", 4, "COMPANY", "mg_4"),          # inside Marsh's quote
    ("Helen Marsh", 1, "PERSON", "marsh_1"),
    ("Ardnacrane Community Council", 1, "AUTHORITY", "acc_1"),
    ("Siobhán Farrell", 1, "PERSON", "farrell_1"),
    ("Carrick Farmers’ Union", 1, "CIVIC_GROUP", "cfu_1"),
    ("Tomás Breen", 1, "PERSON", "breen_1"),
    ("Meridian Grid", 5, "COMPANY", "mg_5"),
    ("Ministry of Energy", 1, "AUTHORITY", "moe_1"),
    ("Brussels", 1, "AUTHORITY", "brussels_1"),
]

CLAIMS = [
    # "The company said" -> nearest preceding Meridian Grid mention (para 1)
    ("the new route would avoid the farmland around Holmby that led Carrick County Council to reject its first application in March",
     1, "mg_2", "grid_connection", "support", "s_mg_avoid"),
    ("We listened, and we changed the plan",
     1, "hartmann_1", "grid_connection", "support", "s_hartmann_listened"),
    ("The quarry is already industrial land, it is closer to the existing 400-kilovolt line, and it means no new pylons between the coast and the substation",
     1, "hartmann_1", "grid_connection", "support", "s_hartmann_quarry"),
    # grid company on its own route timetable -> support (announces its own plan); see NOTES
    ("construction could begin in 2026 if the council approved the new application by the end of the year",
     1, "hartmann_2", "grid_connection", "support", "s_hartmann_2026"),
    ("the revised plan as “a significant improvement",
     1, "hale_1", "grid_connection", "support", "s_hale_improvement"),
    # second cue "but said" -> own statement; construction traffic -> grid_connection drawback
    ("lorries travelling to the new substation site during construction “could be a real problem for villages along the coast road",
     1, "hale_1", "grid_connection", "oppose", "s_hale_lorries"),
    ("the change",
     1, "scb_1", "grid_connection", "support", "s_scb_welcome"),
    ("Crane Hill was the site we proposed a year ago, and we are glad Meridian Grid has finally taken it seriously",
     1, "marsh_1", "grid_connection", "support", "s_marsh_glad"),
    ("it had not been consulted and would object to the new application",
     1, "acc_1", "grid_connection", "oppose", "s_acc_object"),
    # "the problem" = the substation moved to their area
    ("The problem has simply been moved to our doorstep",
     1, "farrell_1", "grid_connection", "oppose", "s_farrell_doorstep"),
    ("lorries building the substation would pass within fifty metres of the village school",
     1, "farrell_1", "grid_connection", "oppose", "s_farrell_school"),
    ("the cable would still cut across 23 farms between the coast and Crane Hill",
     1, "cfu_1", "grid_connection", "oppose", "s_cfu_farms"),
    ("compensation of at least 40 euros per metre for affected landowners",
     1, "cfu_1", "other", "support", "s_cfu_compensation"),
    ("it had no role in choosing the route, which was a matter for the council",
     1, "moe_1", "grid_connection", "no_position", "s_moe_norole"),
]

DOC_STANCES = {
    "grid_connection": "mixed",        # Meridian/Hale/SCB/Marsh support; Hale/ACC/Farrell/CFU oppose
    "offshore_wind_farm": "no_position",
    "fishing_restrictions": "no_position",
    "coal_plant_closure": "no_position",
    "price_support": "no_position",
}
