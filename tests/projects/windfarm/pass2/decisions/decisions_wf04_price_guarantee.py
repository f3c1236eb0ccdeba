# wf04_price_guarantee -- my hand decisions.
# Not actors: "Government"/"The government", "the minister", "The company", "Carrick workers",
# "Selkie Bank", "northern Europe", "the Carrick coast".
# "The Energy Market Authority ... will publish its assessment" = outlet narration, no cue.

ACTORS = [
    ("Clara Voss", 1, "PERSON", "voss_1"),
    ("Voss", 2, "PERSON", "voss_2"),                  # "Voss said that at current forward prices"
    ("Voss", 3, "PERSON", "voss_3"),                  # "Voss told reporters"
    ("Northwind Offshore", 1, "COMPANY", "nwo_1"),
    ("Søren Ødegaard", 1, "PERSON", "odeg_1"),
    ("Fair Bills Alliance", 1, "CIVIC_GROUP", "fba_1"),
    ("Niamh Cassidy", 1, "PERSON", "cassidy_1"),
    ("José Núñez", 1, "PERSON", "nunez_1"),
    ("Brightwater Economics", 1, "COMPANY", "bwe_1"),
    ("Owen Kerr", 1, "PERSON", "kerr_1"),
    ("Energy Market Authority", 1, "AUTHORITY", "ema_1"),
]

CLAIMS = [
    # content before the cue; minister announcing the government's guarantee -> support
    ("The government will guarantee the developers of the Selkie Bank offshore wind farm a price of 78 euros per megawatt-hour for fifteen years",
     1, "voss_1", "price_support", "support", "s_voss_guarantee"),
    ('the deal would "lock in cheaper power for a generation',
     1, "voss_1", "price_support", "support", "s_voss_cheaper"),
    # minimising the cost on bills = defending the scheme
    ('at current forward prices the scheme would cost the average household "less than a cup of coffee a month" in its first five years',
     1, "voss_2", "price_support", "support", "s_voss_coffee"),
    ("Selkie Bank is the single biggest investment ever made on the Carrick coast, and it will be built by Carrick workers",
     1, "voss_3", "offshore_wind_farm", "support", "s_voss_investment"),
    # "She also said" -> Voss; a different project, own plan -> other / support
    ("the government would hold a separate auction next spring for floating wind projects off the west coast",
     1, "voss_3", "other", "support", "s_voss_auction"),
    ('the price was "tight but workable',
     1, "nwo_1", "price_support", "mixed", "s_nwo_tight"),
    # "according to its chief executive" -> named person is the speaker; own investment plan -> support
    ("The company expects to take a final investment decision on Selkie Bank before the end of the year",
     1, "odeg_1", "offshore_wind_farm", "support", "s_odeg_fid"),
    ("the deal would leave households exposed if wholesale prices fell",
     1, "fba_1", "price_support", "oppose", "s_fba_exposed"),
    ("Families are being asked to underwrite a private company's profits for fifteen years, with no say and no cap",
     1, "cassidy_1", "price_support", "oppose", "s_cassidy_underwrite"),
    # comparison without judgement -> no_position (guideline example)
    ("the strike price was slightly above the average of recent auctions in northern Europe",
     1, "nunez_1", "price_support", "no_position", "s_nunez_above"),
    # "he said" -> Núñez; weighs both outcomes
    ("It is not cheap and it is not a giveaway. If gas prices stay where they are, households will come out ahead; if they fall, they will pay",
     1, "nunez_1", "price_support", "mixed", "s_nunez_giveaway"),
    ('the minister had "signed a blank cheque with other people\'s money',
     1, "kerr_1", "price_support", "oppose", "s_kerr_cheque"),
]

DOC_STANCES = {
    "price_support": "mixed",          # Voss support; FBA/Cassidy/Kerr oppose; Northwind/Núñez mixed
    "offshore_wind_farm": "support",   # Voss, Ødegaard
    "grid_connection": "no_position",
    "fishing_restrictions": "no_position",
    "coal_plant_closure": "no_position",
}
