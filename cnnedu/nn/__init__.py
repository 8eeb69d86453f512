"""The numerics and the small framework the series teaches: convolution, activations,
initializers, layers, losses, optimizers, gradient checking, training.

It imports nothing from the rest of cnnedu except the shared validation.
"""
