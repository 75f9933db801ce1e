import pytest
import torch

from dense_landmarks.models import create_model, list_models, model_config


@pytest.mark.parametrize("name", list_models())
def test_registry_models(name):
    torch.manual_seed(0)
    cfg = model_config(name)
    model = create_model(name, pretrained=False)
    model.train()
    outputs = model(model.example_input(2))
    expected = {
        "PFLDConfig": [(2, getattr(cfg, "num_points", 0), 2), (2, getattr(cfg, "pose_dims", 0))],
        "BlazeFaceConfig": [(2, 896, 16), (2, 896)],
        "BlazeFaceFullConfig": [(2, 2304, 16), (2, 2304)],
        "RefinerConfig": [
            (2, getattr(cfg, "num_maps", 0), cfg.input_size // 2, cfg.input_size // 2)
        ],
    }[type(cfg).__name__]
    outputs = outputs if isinstance(outputs, tuple) else (outputs,)
    assert [tuple(o.shape) for o in outputs] == expected
    assert all(torch.isfinite(o).all() for o in outputs)
    sum(o.square().mean() for o in outputs).backward()
    missing = [
        n for n, p in model.named_parameters() if p.grad is None or not torch.isfinite(p.grad).all()
    ]
    assert not missing, missing
    assert all(p.grad.abs().sum() > 0 for p in model.parameters()), (
        "a parameter got a zero gradient"
    )


def test_unknown_model_name():
    with pytest.raises(KeyError, match="unknown model"):
        create_model("nope", pretrained=False)
