"""toolkit/studio/predictions.py against a real Label Studio (an extractor's predictions, written
twice, are in tests/test_model_versions.py): a prediction is updated in place, a prediction
already gone deletes quietly, and a task's annotations and predictions are read as plain dicts."""

from conftest import SEEDS
from toolkit.schema import labeling_config
from toolkit.studio import (
    add_annotation,
    create_prediction,
    delete_prediction,
    ensure_project,
    project_tasks,
    push_tasks,
    task_annotations_and_predictions,
    update_prediction,
)
from toolkit.tasks import build_tasks

CHOICE = [
    {"from_name": "doc_stance__gaza_ceasefire", "to_name": "text", "type": "choices", "value": {"choices": ["favor"]}}
]


def test_a_prediction_is_updated_in_place_and_one_already_gone_deletes_quietly(client, schema):
    project_id, _ = ensure_project(client, "prediction writes", labeling_config(schema))
    push_tasks(client, project_id, build_tasks(SEEDS)[:2])
    first, _ = project_tasks(client, project_id)  # the second task stays without annotations
    prediction_id = create_prediction(client, first.id, CHOICE, "m", score=0.5)
    update_prediction(client, prediction_id, CHOICE, score=0.75)
    [stored] = client.predictions.list(task=first.id)
    assert (stored.id, stored.score, stored.model_version) == (prediction_id, 0.75, "m")
    annotation_id = add_annotation(client, first.id, CHOICE)

    [(task, annotations, predictions)] = task_annotations_and_predictions(client, project_id)
    assert task["id"] == first.id and task["data"]["doc_id"] == first.data["doc_id"]
    assert [a["id"] for a in annotations] == [annotation_id] and [p["id"] for p in predictions] == [prediction_id]
    assert list(task_annotations_and_predictions(client, project_id, minimum=2)) == []

    assert delete_prediction(client, prediction_id, first.id) is True
    assert delete_prediction(client, prediction_id, first.id) is False  # gone already (a concurrent run)
    assert client.predictions.list(task=first.id) == []
