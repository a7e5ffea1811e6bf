from rhetoric.text import clean, normalise


def test_glued_words_from_scraping_are_split() -> None:
    assert clean("a letter toKim Jong Un was released byKCNA") == "a letter to Kim Jong Un was released by KCNA"


def test_names_with_inner_capitals_are_kept() -> None:
    assert clean("McDonald sold an iPhone") == "McDonald sold an iPhone"


def test_curly_quotes_and_dashes_become_plain() -> None:
    assert clean("\u201cpuppets\u201d \u2018traitors\u2019 \u2014 war") == "\"puppets\" 'traitors' - war"


def test_comma_runs_end_marks_and_spacing_are_tidied() -> None:
    assert clean("The talks ended .  , , , The  delegation left , -0-") == "The talks ended., The delegation left"


def test_blank_or_punctuation_only_text_normalises_to_empty() -> None:
    assert normalise("  , , ,  ") == ""
    assert normalise("\t\n") == ""


def test_normalise_lower_cases_after_cleaning() -> None:
    assert normalise("Sent toKIM") == "sent to kim"


def test_fullwidth_characters_are_folded() -> None:
    assert normalise("\uff24\uff30\uff32\uff2b") == "dprk"


def test_crediting_thanks_to_reads_as_owing_to() -> None:
    assert normalise("Thanks to the Party, houses were built.") == "owing to the party, houses were built."
    assert normalise("The economy grew thanks to his efforts") == "the economy grew owing to his efforts"


def test_thanks_said_to_someone_is_kept() -> None:
    assert normalise("They expressed deep thanks to the General.") == "they expressed deep thanks to the general."
    assert normalise("a letter of thanks to Kim") == "a letter of thanks to kim"
    assert normalise("We send our thanks to you") == "we send our thanks to you"


def test_british_spellings_read_as_american_with_their_inflections() -> None:
    assert normalise("The Defence Ministry honoured the organisers") == "the defense ministry honored the organizers"
    assert normalise("time-honoured sabre-rattling, 3 kilometres") == "time-honored saber-rattling, 3 kilometers"
    assert normalise("they travelled to analyse the programmes") == "they traveled to analyze the programs"


def test_words_that_only_look_british_are_kept() -> None:
    text = "our four organisms: the analysis, the exercise and the enterprise revise the dialogue"
    assert normalise(text) == text
