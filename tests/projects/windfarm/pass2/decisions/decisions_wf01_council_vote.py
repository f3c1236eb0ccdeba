# wf01_council_vote -- my hand decisions.
# ACTORS: (surface, occurrence of that exact substring in the text (1-based), label, id)
# CLAIMS: (span, occurrence, speaker id, target, stance, id)
# Headline "Council" and "the council", "Councillors" = descriptions, not actors.
# "Selkie Bank", "Holmby", "PORTMOOR", "Portmoor" = project / places, not actors.

ACTORS = [
    ("Carrick County Council", 1, "AUTHORITY", "ccc_1"),
    ("Northwind Offshore", 1, "COMPANY", "nwo_1"),
    ("Martin Hale", 1, "PERSON", "hale_1"),
    ("Hale", 2, "PERSON", "hale_2"),                 # occ 1 is inside "Martin Hale"
    ("Meridian Grid", 1, "COMPANY", "mg_1"),
    ("Northwind", 2, "COMPANY", "nw_2"),             # "Northwind's proposed community fund"
    ("Meridian Grid", 2, "COMPANY", "mg_2"),
    ("Ministry of Energy", 1, "AUTHORITY", "moe_1"),
    ("Save Carrick Bay", 1, "CIVIC_GROUP", "scb_1"),
    ("Helen Marsh", 1, "PERSON", "marsh_1"),
    ("Meridian Grid", 3, "COMPANY", "mg_3"),         # "any appeal by Meridian Grid"
    ("Northwind Offshore", 2, "COMPANY", "nwo_2"),
    ("Nordhavn Capital", 1, "COMPANY", "nordhavn_1"),  # "Danish" = adjective, left out
    ("Søren Ødegaard", 1, "PERSON", "odeg_1"),
    ("Ødegaard", 2, "PERSON", "odeg_2"),
    ("Northwind", 4, "COMPANY", "nw_4"),             # "whether Northwind would contribute"
    ("Bronwen Ellis", 1, "PERSON", "ellis_1"),
    ("Ministry of Energy", 2, "AUTHORITY", "moe_2"),
    ("Clara Voss", 1, "PERSON", "voss_1"),
]

CLAIMS = [
    # Hale, first quoted stretch
    ("We want the jobs and the investment that Selkie Bank will bring to this coast",
     1, "hale_1", "offshore_wind_farm", "support", "s_hale_jobs"),
    # resumed quote after the attribution = separate statement, same speaker
    ("What we do not want is a substation the size of six football pitches dropped into the middle of good farmland",
     1, "hale_1", "grid_connection", "oppose", "s_hale_substation"),
    ("the council would ask Meridian Grid, the company responsible for the connection, to look again at an alternative route further east",
     1, "hale_2", "grid_connection", "oppose", "s_hale_route"),
    # "He also called for" -> nearest preceding Hale mention; community fund = other; a call = support
    ("Northwind's proposed community fund of 2 million euros a year to be doubled",
     1, "hale_2", "other", "support", "s_hale_fund"),
    # Meridian disappointed by the rejection of its own substation -> defends it
    ('it was "disappointed" by the decision',
     1, "mg_2", "grid_connection", "support", "s_mg_disappointed"),
    ("the Holmby site had been chosen after two years of surveys",
     1, "mg_2", "grid_connection", "support", "s_mg_surveys"),
    # "It said" -> nearest preceding mention of Meridian Grid (mg_2)
    ("it would appeal the decision to the Ministry of Energy",
     1, "mg_2", "grid_connection", "support", "s_mg_appeal"),
    ('the rejection of the substation was "a victory for common sense',
     1, "marsh_1", "grid_connection", "oppose", "s_marsh_victory"),
    ("residents would fight any appeal by Meridian Grid",
     1, "marsh_1", "grid_connection", "oppose", "s_marsh_fight"),
    ("the council's support for the wind farm",
     1, "nwo_2", "offshore_wind_farm", "support", "s_nwo_welcome"),
    # confident a grid solution will be found -> positive about the connection going ahead
    ('he was confident that a solution for the grid connection would be found "within months, not years',
     1, "odeg_1", "grid_connection", "support", "s_odeg_months"),
    ('the project would bring real money to the county but could also "industrialise a coastline that tourism depends on',
     1, "ellis_1", "offshore_wind_farm", "mixed", "s_ellis"),
]

DOC_STANCES = {
    "offshore_wind_farm": "support",     # support x2 + mixed
    "grid_connection": "mixed",          # oppose (Hale, Marsh) and support (Meridian, Ødegaard)
    "fishing_restrictions": "no_position",
    "coal_plant_closure": "no_position",
    "price_support": "no_position",
}
