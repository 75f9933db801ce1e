"""Engine pieces that need no Ray: how the Ray engine cuts the task stream into calls."""

from dense_landmarks.jobs.engines import GuidedCalls


def _calls(n: int, size: int, slots: int) -> tuple[list[list[int]], list[int]]:
    read: list[int] = []

    def stream():
        for i in range(n):
            read.append(i)
            yield (str(i), f"/in/{i}")

    calls, ahead = GuidedCalls(stream(), size, slots), []
    out = []
    while batch := calls.next():
        ahead.append(len(read) - sum(map(len, out)) - len(batch))  # read but not yet handed out
        out.append([int(k) for k, _ in batch])
    return out, ahead


def test_full_calls_while_the_stream_runs_then_smaller_ones_to_its_end():
    out, ahead = _calls(40, size=4, slots=4)
    assert [i for b in out for i in b] == list(range(40))  # every task once, in order
    sizes = [len(b) for b in out]
    assert sizes[:6] == [4] * 6  # full calls while more than size * slots remain
    assert sizes == sorted(sizes, reverse=True) and sizes[-4:] == [1, 1, 1, 1]
    assert max(ahead) <= 4 * 4  # the stream is read at most size * slots ahead


def test_short_streams_and_single_item_calls():
    assert _calls(0, 4, 4)[0] == []
    assert _calls(3, 4, 4)[0] == [[0], [1], [2]]  # fewer tasks than slots: one each
    assert [len(b) for b in _calls(9, 1, 2)[0]] == [1] * 9
    assert [len(b) for b in _calls(10, 8, 1)[0]] == [8, 2]  # one slot: nothing to balance
