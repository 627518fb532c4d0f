"""The full-text index: what is indexed, how it ranks, and that no typed text can break it.

Runs on SQLite (FTS5) and PostgreSQL (tsvector) with the same expectations.
"""

import pytest

from learningcity.opportunities import search
from learningcity.opportunities.models import Opportunity, OpportunityStatus
from learningcity.organisations.tests.factories import OrganisationFactory

from .factories import OpportunityFactory, TopicFactory

pytestmark = pytest.mark.django_db


def found(text, queryset=None):
    queryset = queryset if queryset is not None else Opportunity.objects.all()
    return set(search.ranked_matches(queryset, text).values_list("title", flat=True))


def ranked(text):
    return list(
        search.ranked_matches(Opportunity.objects.all(), text)
        .order_by("-search_rank", "pk")
        .values_list("title", flat=True)
    )


def indexed(**fields):
    opportunity = OpportunityFactory(**fields)
    search.opportunity_reindex(opportunity)
    return opportunity


# --- The query language ---------------------------------------------------------------------------


def test_search_terms_keep_words_fold_accents_and_drop_stop_words():
    assert search.search_terms("The Café of DREAMS!") == ["cafe", "dreams"]


def test_search_terms_are_capped():
    assert len(search.search_terms(" ".join(f"word{n}" for n in range(40)))) == search.MAX_TERMS


def test_fts5_query_quotes_every_term_and_prefixes_the_last():
    assert search.fts5_query(["coding", "club"]) == '"coding" "club"*'


def test_tsquery_quotes_every_term_and_prefixes_the_last():
    assert search.tsquery_text(["coding", "club"]) == "'coding' & 'club':*"


def test_a_short_last_word_is_not_a_prefix():
    assert search.fts5_query(["art", "go"]) == '"art" "go"'
    assert search.tsquery_text(["art", "go"]) == "'art' & 'go'"


# --- What is indexed ------------------------------------------------------------------------------


def test_a_published_opportunity_is_found_by_a_word_of_its_title():
    indexed(title="Street dance for beginners")
    assert found("dance") == {"Street dance for beginners"}


def test_a_draft_is_not_indexed():
    indexed(title="Secret pottery", status=OpportunityStatus.DRAFT)
    assert found("pottery") == set()


def test_reindexing_after_archiving_removes_it():
    opportunity = indexed(title="Pottery wheel")
    opportunity.status = OpportunityStatus.ARCHIVED
    opportunity.save()
    search.opportunity_reindex(opportunity)
    assert found("pottery") == set()


def test_reindexing_after_a_title_change_finds_the_new_words_only():
    opportunity = indexed(title="Pottery wheel")
    opportunity.title = "Glass blowing"
    opportunity.save()
    search.opportunity_reindex(opportunity)
    assert found("pottery") == set()
    assert found("glass") == {"Glass blowing"}


def test_topics_and_the_organisation_name_are_searchable():
    organisation = OrganisationFactory(name="Hangleton Makerspace")
    opportunity = OpportunityFactory(title="Open evening", organisation=organisation)
    opportunity.topics.add(TopicFactory(city=organisation.city, name="Robotics", slug="robotics"))
    search.opportunity_reindex(opportunity)
    assert found("robotics") == {"Open evening"}
    assert found("makerspace") == {"Open evening"}


def test_the_description_is_searchable():
    indexed(title="Saturday club", description="We build **kites** and fly them on the Downs.")
    assert found("kites") == {"Saturday club"}


def test_stemming_finds_other_forms_of_a_word():
    indexed(title="Painting workshop")
    assert found("paints") == {"Painting workshop"}


def test_the_last_word_matches_as_a_prefix():
    indexed(title="Photography walk")
    assert found("photog") == {"Photography walk"}


def test_every_word_must_match():
    indexed(title="Football coaching")
    indexed(title="Football referee course")
    assert found("football referee") == {"Football referee course"}


def test_accents_do_not_matter():
    indexed(title="Café conversations in French")
    assert found("cafe") == {"Café conversations in French"}
    indexed(title="Creperie tour")
    assert found("crêperie") == {"Creperie tour"}


def test_ranked_matches_keeps_the_querysets_own_filters():
    kept = indexed(title="Chess club")
    indexed(title="Chess tournament")
    assert found("chess", Opportunity.objects.filter(pk=kept.pk)) == {"Chess club"}


def test_bulk_reindex_indexes_many_and_removes_unpublished_ones():
    opportunities = [OpportunityFactory(title=f"Archery session {n}") for n in range(25)]
    draft = OpportunityFactory(title="Archery draft", status=OpportunityStatus.DRAFT)
    search.opportunities_reindex_bulk([o.pk for o in opportunities] + [draft.pk])
    assert len(found("archery")) == 25
    Opportunity.objects.filter(pk=opportunities[0].pk).update(status=OpportunityStatus.ARCHIVED)
    search.opportunities_reindex_bulk(iter([opportunities[0].pk]))
    assert len(found("archery")) == 24


def test_bulk_reindex_works_across_batches(monkeypatch):
    monkeypatch.setattr(search, "BATCH_SIZE", 3)
    opportunities = [OpportunityFactory(title=f"Canoe trip {n}") for n in range(7)]
    search.opportunities_reindex_bulk(o.pk for o in opportunities)
    assert len(found("canoe")) == 7


def test_reindexing_twice_keeps_one_row():
    opportunity = indexed(title="Rowing")
    search.opportunity_reindex(opportunity)
    assert search.ranked_matches(Opportunity.objects.all(), "rowing").count() == 1


# --- Ranking --------------------------------------------------------------------------------------


def test_a_title_match_outranks_a_description_match():
    indexed(title="Youth club night", description="Music, games and a little bit of drumming.")
    indexed(title="Drumming circle", description="Bring nothing but yourself.")
    assert ranked("drumming") == ["Drumming circle", "Youth club night"]


def test_a_summary_match_outranks_a_description_match():
    indexed(title="Evening A", summary="Learn to juggle.", description="Fun.")
    indexed(title="Evening B", summary="Circus skills.", description="We juggle a lot.")
    assert ranked("juggle") == ["Evening A", "Evening B"]


def test_search_rank_is_higher_for_better_matches():
    indexed(title="Knitting", description="Knitting for everyone.")
    indexed(title="Crafts", description="Some knitting.")
    ranks = dict(
        search.ranked_matches(Opportunity.objects.all(), "knitting").values_list(
            "title", "search_rank"
        )
    )
    assert ranks["Knitting"] > ranks["Crafts"] > 0


def test_text_without_searchable_words_narrows_nothing():
    indexed(title="Anything")
    indexed(title="Something")
    assert found("the of and") == {"Anything", "Something"}
    assert found("!!! ???") == {"Anything", "Something"}


# --- Hostile text ---------------------------------------------------------------------------------

HOSTILE_TEXTS = [
    '"',
    '"unbalanced',
    "it's",
    "'; DROP TABLE opportunities_search; --",
    "NEAR(coding club)",
    "NEAR(",
    "coding AND",
    "OR",
    "NOT coding",
    "coding*",
    "*",
    "title:coding",
    "^coding",
    "coding + club",
    "(coding",
    "coding)",
    "a & b | !c",
    "coding:*",
    "<-> <2>",
    "{title summary}: x",
    "\x00nul",
    "😀 emoji",
    "日本語のコース",
    "Zürich ça",
    "-",
    "%_\\",
    "x" * 500,
]


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_hostile_text_never_errors(text):
    indexed(title="Coding club")
    result = list(search.ranked_matches(Opportunity.objects.all(), text))
    assert isinstance(result, list)


def test_operator_words_are_searched_as_words():
    indexed(title="Near the pier: coding")
    assert found("NEAR(coding") == {"Near the pier: coding"}


def test_unicode_words_are_found():
    indexed(title="日本語 conversation")
    assert found("日本語") == {"日本語 conversation"}


def index_rows():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {search.TABLE}")  # noqa: S608
        return cursor.fetchone()[0]


def test_deleting_an_opportunity_deletes_its_index_row():
    kept = indexed(title="Kept")
    gone = indexed(title="Gone")
    assert index_rows() == 2
    gone.delete()
    assert index_rows() == 1
    assert found("gone kept") == set()
    assert found("kept") == {kept.title}


def test_ensuring_the_index_table_twice_is_harmless():
    search.search_index_ensure()
    search.search_index_ensure()
    indexed(title="Still works")
    assert found("works") == {"Still works"}


def test_matches_can_be_limited_to_one_citys_part_of_the_index():
    here = indexed(title="Kayaking here")
    indexed(title="Kayaking elsewhere")
    matches = search.ranked_matches(Opportunity.objects.all(), "kayaking", city_id=here.city_id)
    narrowed = search.text_matches(
        Opportunity.objects.filter(city=here.city), "kayaking", city_id=here.city_id
    )
    assert set(narrowed.values_list("title", flat=True)) == {"Kayaking here"}
    # On SQLite the index has no city: the queryset's own filter does the narrowing.
    assert "Kayaking here" in set(matches.values_list("title", flat=True))
