"""Label preparation: 68 -> 106 completion with splines and a teacher model, pose labels."""
