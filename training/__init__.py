"""Training: readers, label preparation, augmentation, losses and the training loop."""
