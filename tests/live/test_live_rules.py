"""The rules of a live session, without a database."""
import threading
from datetime import UTC, datetime, timedelta

import pytest

from app.live import rules
from app.live.broker import LocalBroker, Message, RedisBroker

T0 = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)

CHOICE = {"id": "q", "type": "single", "prompt": "?", "points": 1.0, "explanation": "Because.",
          "options": [{"id": "a", "text": "Alpha", "feedback": ""}, {"id": "b", "text": "Beta", "feedback": ""},
                      {"id": "c", "text": "Gamma", "feedback": ""}],
          "correct": ["b"], "display": {"options": ["c", "a", "b"], "choices": [], "pairs": []}}


def test_codes_avoid_look_alike_symbols_and_normalise_what_people_type():
    for ch in "01ILOUV":
        assert ch not in rules.CODE_ALPHABET
    codes = {rules.new_code() for _ in range(500)}
    assert len(codes) == 500 and all(len(c) == 6 and set(c) <= set(rules.CODE_ALPHABET) for c in codes)
    assert rules.normalise_code(" k7m-3q9 ") == "K7M3Q9"
    assert rules.normalise_code("K7M3Q") is None          # too short
    assert rules.normalise_code("K7M3Q0") is None         # 0 is never in a code
    assert rules.normalise_code("x" * 1000) is None


def test_presence_counts_only_short_gaps():
    assert rules.presence_seconds(0, T0, T0 + timedelta(seconds=30)) == 30
    assert rules.presence_seconds(60, T0, T0 + timedelta(seconds=90)) == 150
    assert rules.presence_seconds(60, T0, T0 + timedelta(minutes=10)) == 60      # away: not counted
    assert rules.presence_seconds(60, T0, T0 - timedelta(seconds=5)) == 60       # clock skew: nothing
    assert rules.attended(240 * 60, 240) and not rules.attended(240 * 60 - 1, 240)
    assert rules.attended(0, 0)


def test_a_correction_replaces_the_measured_minutes_up_or_down():
    assert rules.counted_seconds(1800, None) == 1800
    assert rules.counted_seconds(1800, 240) == 240 * 60
    assert rules.counted_seconds(1800, 0) == 0


def test_a_session_is_left_open_after_twelve_quiet_hours():
    assert not rules.left_open(T0, T0 + timedelta(hours=12))
    assert rules.left_open(T0, T0 + timedelta(hours=12, seconds=1))


def test_points_reward_right_and_fast_answers():
    assert rules.points_for(1.0, T0, T0) == 1000
    assert rules.points_for(1.0, T0, T0 + timedelta(seconds=15)) == 750
    assert rules.points_for(1.0, T0, T0 + timedelta(minutes=5)) == 500    # late but right: half
    assert rules.points_for(0.5, T0, T0) == 500                           # partly right
    assert rules.points_for(0.0, T0, T0) == 0
    assert rules.points_for(1.0, T0, T0 - timedelta(seconds=3)) == 1000   # never more than the maximum


def test_tally_counts_options_in_display_order_and_hides_the_key_until_asked():
    answers = [("b", 1.0), ("b", 1.0), ("a", 0.0), ("zzz", 0.0)]
    hidden = rules.tally(CHOICE, answers)
    assert hidden.responses == 4
    assert [(b.label, b.count, b.correct) for b in hidden.bars] == [("Gamma", 0, None), ("Alpha", 1, None),
                                                                   ("Beta", 2, None)]
    shown = rules.tally(CHOICE, answers, with_key=True)
    assert [b.correct for b in shown.bars] == [False, False, True]
    opinion = rules.tally(CHOICE, answers, scored=False, with_key=True)
    assert all(b.correct is None for b in opinion.bars)


def test_tally_of_multiple_choice_counts_each_option_once_per_person():
    question = dict(CHOICE, type="multiple", correct=["a", "b"])
    result = rules.tally(question, [(["a", "b", "a"], 1.0), (["c"], 0.0), ("not-a-list", 0.0)])
    assert {b.label: b.count for b in result.bars} == {"Alpha": 1, "Beta": 1, "Gamma": 1}


def test_tally_of_typed_answers_groups_them_as_the_scorer_compares_them():
    question = {"id": "t", "type": "short_text", "prompt": "?", "points": 1.0, "explanation": "",
                "accept": ["Porter"], "display": {"options": [], "choices": [], "pairs": []}}
    answers = [("Porter", 1.0), (" porter. ", 1.0), ("Marshall", 0.0)]
    before = rules.tally(question, answers)
    assert before.responses == 3 and all(b.correct is None for b in before.bars)
    after = rules.tally(question, answers, with_key=True)
    assert [(b.label, b.count, b.correct) for b in after.bars][:2] == [("Right", 2, True), ("Wrong", 1, False)]
    assert ("“Porter”", 2, True) in [(b.label, b.count, b.correct) for b in after.bars]


def test_score_answer_uses_the_quiz_scorer():
    assert rules.score_answer(CHOICE, "b") == 1.0
    assert rules.score_answer(CHOICE, "a") == 0.0
    assert rules.score_answer(CHOICE, ["b", "<script>"]) == 0.0


def test_leaderboard_shares_ranks_on_equal_points():
    board = rules.leaderboard({1: 900, 2: 1500, 3: 900, 4: 100}, {1: "Zoe", 2: "Ana", 3: "Ben", 4: "Cy"})
    assert [(s.rank, s.name, s.points) for s in board] == [(1, "Ana", 1500), (2, "Ben", 900), (2, "Zoe", 900),
                                                           (4, "Cy", 100)]


def test_local_broker_delivers_by_session_and_audience():
    broker = LocalBroker()
    participant = broker.subscribe(1)
    staff = broker.subscribe(1, staff=True)
    elsewhere = broker.subscribe(2)
    broker.publish(Message(1, "class", "state", '{"version": 2}'))
    broker.publish(Message(1, "staff", "answers", "{}"))
    assert participant.get(0.1).kind == "state" and participant.get(0.05) is None
    assert [staff.get(0.1).kind, staff.get(0.1).kind] == ["state", "answers"]
    assert elsewhere.get(0.05) is None
    participant.close()
    staff.close()
    elsewhere.close()
    assert broker.listeners(1) == 0 and broker.listeners(2) == 0


def test_local_broker_fans_out_to_many_waiting_threads():
    broker = LocalBroker()
    got: list[str] = []
    lock = threading.Lock()
    subs = [broker.subscribe(7) for _ in range(200)]

    def wait(sub):
        message = sub.get(5)
        with lock:
            got.append(message.data if message else "timeout")

    threads = [threading.Thread(target=wait, args=(s,)) for s in subs]
    for t in threads:
        t.start()
    broker.publish(Message(7, "class", "state", "hello"))
    for t in threads:
        t.join(5)
    assert got == ["hello"] * 200


def test_messages_survive_the_wire_format():
    message = Message(3, "staff", "answers", '{"poll": 9}')
    assert Message.decode(message.encode()) == message


def test_a_personal_event_carries_only_its_own_persons_part():
    import json

    from app.live.streams import personal_event

    data = json.dumps({"version": 7, "poll": 3, "people": {
        "11": {"verdict": "<p>You got it.</p>", "me": ""},
        "12": {"verdict": "<p>Not this time.</p>", "me": "<p>rank 2</p>"}}})
    event = personal_event(data, 11)
    assert event.startswith("event: personal\n") and "Not this time" not in event and "rank 2" not in event
    assert json.loads(event.split("data: ", 1)[1]) == {"version": 7, "poll": 3, "verdict": "<p>You got it.</p>",
                                                       "me": ""}
    # someone who did not answer and is not on the leaderboard: told there is nothing of theirs
    nothing = json.loads(personal_event(data, 99).split("data: ", 1)[1])
    assert nothing == {"version": 7, "poll": 3, "verdict": "", "me": ""}


def test_the_projector_shows_what_the_presenter_chose_or_the_nearest_thing_there_is():
    view = rules.projector_view
    assert view("poll", has_lesson=True, has_poll=True, leaderboard=True) == "poll"     # a reveal never skips
    assert view("leaderboard", has_lesson=True, has_poll=True, leaderboard=True) == "leaderboard"
    assert view("leaderboard", has_lesson=True, has_poll=True, leaderboard=False) == "poll"   # hidden since
    assert view("leaderboard", has_lesson=True, has_poll=False, leaderboard=False) == "lesson"
    assert view("poll", has_lesson=True, has_poll=False, leaderboard=False) == "lesson"
    assert view("lesson", has_lesson=True, has_poll=True, leaderboard=True) == "lesson"
    assert view("lesson", has_lesson=False, has_poll=True, leaderboard=False) == "join"
    assert view("join", has_lesson=True, has_poll=True, leaderboard=True) == "join"
    assert set(rules.PROJECTOR_SCREENS) == {"join", "lesson", "poll", "leaderboard", "qna", "slide"}   # qna, slide: issue 20
    # slides while the lesson is presented as slides; otherwise the nearest thing (issue 20)
    assert view("slide", has_lesson=True, has_poll=True, leaderboard=False, has_slides=True) == "slide"
    assert view("slide", has_lesson=True, has_poll=False, leaderboard=False, has_slides=False) == "lesson"
    assert view("poll", has_lesson=True, has_poll=True, leaderboard=False, has_slides=True) == "poll"


def test_corrections_are_capped_at_the_sessions_length_plus_a_margin():
    three_minutes = T0 + timedelta(minutes=3)
    assert rules.session_minutes(T0, three_minutes, T0 + timedelta(hours=5)) == 3
    assert rules.credit_limit(T0, three_minutes, T0 + timedelta(days=3)) == 3 + rules.CREDIT_MARGIN_MINUTES
    assert rules.credit_limit(T0, None, T0 + timedelta(minutes=90)) == 90 + rules.CREDIT_MARGIN_MINUTES  # running
    assert rules.credit_limit(T0, T0 + timedelta(hours=30), T0) == rules.MAX_CREDIT_MINUTES
    assert rules.session_minutes(T0, T0 - timedelta(minutes=5), T0) == 0


def test_a_session_can_be_resumed_only_shortly_after_it_ended():
    ended = T0 + timedelta(hours=1)
    assert rules.can_resume(ended, ended + rules.RESUME_WINDOW)
    assert not rules.can_resume(ended, ended + rules.RESUME_WINDOW + timedelta(seconds=1))
    assert not rules.can_resume(None, ended)
    assert rules.resumable_until(ended) == ended + timedelta(minutes=10)


def test_people_enrolled_after_a_session_could_not_have_attended_it():
    ended = T0 + timedelta(hours=3)
    assert rules.enrolled_in_time(T0 - timedelta(days=1), ended)
    assert not rules.enrolled_in_time(ended + timedelta(days=1), ended)
    assert rules.enrolled_in_time(ended + timedelta(days=1), None)     # still running: they can join now


def test_agenda_items_planned_minutes():
    assert rules.planned_minutes("09:15", "10:15") == 60
    assert rules.planned_minutes("12:35", "13:20") == 45


@pytest.mark.redis
def test_two_lecterns_sharing_one_redis_do_not_hear_each_other(redis_url):
    """REDIS_PREFIX: session 1 of one install is not session 1 of another on the same Redis."""
    ours, theirs = RedisBroker(redis_url, "lectern-a"), RedisBroker(redis_url, "lectern-b")
    try:
        mine, other = ours.subscribe(1), theirs.subscribe(1)
        ours.publish(Message(1, "class", "state", "ours"))
        assert mine.get(5).data == "ours" and other.get(0.3) is None
        assert theirs.claim_stream(1, 9, "s1", keep=1) == [] and ours.claim_stream(1, 9, "s2", keep=1) == []
    finally:
        ours.close()
        theirs.close()
