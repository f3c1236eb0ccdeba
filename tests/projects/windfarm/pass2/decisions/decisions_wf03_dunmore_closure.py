# wf03_dunmore_closure -- my hand decisions.
# "Castlerock" in the headline acts as an agent -> actor. "Dunmore coal plant" / "Dunmore"
# meaning the plant ("keep Dunmore running", "shut Dunmore") -> not an actor.
# "DUNMORE" dateline, "In Dunmore itself", "a training centre in Dunmore", "Ravensholt",
# "Carrick" -> places. "Dunmore" in "the mayor of Dunmore" -> AUTHORITY.

ACTORS = [
    ("Castlerock", 1, "COMPANY", "cr_head"),
    ("Castlerock Power", 1, "COMPANY", "crp_1"),
    ("Carrick County Council", 1, "AUTHORITY", "ccc_1"),
    ("Castlerock", 3, "COMPANY", "cr_3"),              # "Castlerock chief executive"
    ("Gareth Pryce", 1, "PERSON", "pryce_1"),
    ("Pryce", 2, "PERSON", "pryce_2"),
    ("Energy Workers’ Union", 1, "CIVIC_GROUP", "ewu_long"),
    ("EWU", 1, "CIVIC_GROUP", "ewu_1"),
    ("Dariusz Wójcik", 1, "PERSON", "wojcik_1"),
    ("EWU", 2, "CIVIC_GROUP", "ewu_2"),                 # "the EWU’s regional secretary"
    ("Clara Voss", 1, "PERSON", "voss_1"),
    ("Voss", 2, "PERSON", "voss_2"),
    ("Ellen Tighe", 1, "PERSON", "tighe_1"),
    ("Dunmore", 7, "AUTHORITY", "dunmore_town"),        # "the mayor of Dunmore" (7th case-sensitive hit; headline counts)
    ("Northwind Offshore", 1, "COMPANY", "nwo_1"),
    ("Meridian Grid", 1, "COMPANY", "mg_1"),
]

CLAIMS = [
    # "confirmed that" = reporting cue; company announcing its own plant closure -> support
    ("the Dunmore coal-fired power station will stop generating in September 2027",
     1, "crp_1", "coal_plant_closure", "support", "s_crp_confirm"),
    # "according to figures from" -> speaker the council; names the plant, not its closure
    ("The plant employs 420 people directly and supports around 900 more jobs at contractors and in the port",
     1, "ccc_1", "other", "no_position", "s_ccc_jobs"),
    ("This is the right decision for the climate, and we have given our people more than three years’ notice",
     1, "pryce_1", "coal_plant_closure", "support", "s_pryce_right"),
    # own redeployment plan -> other / support
    ("about 150 staff would be offered jobs at the company’s gas-fired plant at Ravensholt",
     1, "pryce_2", "other", "support", "s_pryce_jobs"),
    ("the date was “far too early",
     1, "ewu_long", "coal_plant_closure", "oppose", "s_ewu_early"),
    ("the government to keep Dunmore running until the Selkie Bank wind farm is generating power",
     1, "ewu_long", "coal_plant_closure", "oppose", "s_ewu_keep"),
    # acceptance in principle + objection to timing -> mixed
    ("Nobody here is arguing for coal forever. But if you shut Dunmore before a single turbine is turning at Selkie Bank, you are asking 420 families to bridge that gap on their own",
     1, "wojcik_1", "coal_plant_closure", "mixed", "s_wojcik_gap"),
    # "He said" -> Wójcik; asks for the date to be moved -> oppose
    ("members would be balloted on strike action unless the closure date was moved",
     1, "wojcik_1", "coal_plant_closure", "oppose", "s_wojcik_strike"),
    ("the closure was “a milestone for cleaner air in Carrick",
     1, "voss_1", "coal_plant_closure", "support", "s_voss_milestone"),
    # ministry's own plan, retraining -> other / support
    ("the ministry would fund a training centre in Dunmore where plant workers could retrain as offshore wind technicians",
     1, "voss_2", "other", "support", "s_voss_training"),
    ("The closure will give us cleaner air, and it will also take three million euros a year out of our budget",
     1, "tighe_1", "coal_plant_closure", "mixed", "s_tighe_budget"),
]

DOC_STANCES = {
    "coal_plant_closure": "mixed",     # Castlerock/Pryce/Voss support, EWU/Wójcik oppose
    "offshore_wind_farm": "no_position",
    "grid_connection": "no_position",
    "fishing_restrictions": "no_position",
    "price_support": "no_position",
}
