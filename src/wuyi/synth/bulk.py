"""Writing synthetic rows in batches, with progress: what the campaign's builders share."""

from collections.abc import Callable

Progress = Callable[[str, int, int], None]


def create_in_batches(model, rows: list, report: Progress, stage: str, batch: int) -> list:
    """``bulk_create`` the rows ``batch`` at a time, reporting ``(stage, done, total)`` after each; the rows made."""
    done = []
    for start in range(0, len(rows), batch):
        done += model.objects.bulk_create(rows[start:start + batch])
        report(stage, len(done), len(rows))
    return done
