import numpy as np

from ..layers import *
from ..layer_utils import *


class FullyConnectedNet(object):
  """
  A fully-connected neural network with an arbitrary number of hidden layers,
  ReLU nonlinearities, and a softmax loss function. This will also implement
  dropout and batch normalization as options. For a network with L layers,
  the architecture will be

  {affine - [batch norm] - relu - [dropout]} x (L - 1) - affine - softmax

  where batch normalization and dropout are optional, and the {...} block is
  repeated L - 1 times.

  Similar to the TwoLayerNet above, learnable parameters are stored in the
  self.params dictionary and will be learned using the Solver class.
  """

  def __init__(self, hidden_dims, input_dim=3*32*32, num_classes=10,
               dropout=1, normalization=None, reg=0.0,
               weight_scale=1e-2, dtype=np.float32, seed=None):
    """
    Initialize a new FullyConnectedNet.

    Inputs:
    - hidden_dims: A list of integers giving the size of each hidden layer.
    - input_dim: An integer giving the size of the input.
    - num_classes: An integer giving the number of classes to classify.
    - dropout: Scalar between 0 and 1 giving dropout strength. If dropout=1 then
      the network should not use dropout at all.
    - normalization: What type of normalization the network should use. Valid values
      are "batchnorm", "layernorm", or None for no normalization (the default).
    - reg: Scalar giving L2 regularization strength.
    - weight_scale: Scalar giving the standard deviation for random
      initialization of the weights.
    - dtype: A numpy datatype object; all computations will be performed using
      this datatype.
    - seed: If not None, then pass this random seed to the dropout layers.
    """
    self.normalization = normalization
    self.use_dropout = dropout != 1
    self.reg = reg
    self.num_layers = 1 + len(hidden_dims)
    self.dtype = dtype
    self.params = {}

    # ================================================================ #
    # YOUR CODE HERE:
    #   Initialize all parameters of the network in the self.params dictionary.
    # ================================================================ #
    dims = [input_dim] + list(hidden_dims) + [num_classes]
    for i in range(self.num_layers):
      self.params['W%d' % (i + 1)] = weight_scale * np.random.randn(dims[i], dims[i + 1])
      self.params['b%d' % (i + 1)] = np.zeros(dims[i + 1])
      if self.normalization and i < self.num_layers - 1:
        self.params['gamma%d' % (i + 1)] = np.ones(dims[i + 1])
        self.params['beta%d' % (i + 1)] = np.zeros(dims[i + 1])
    # ================================================================ #
    # END YOUR CODE HERE
    # ================================================================ #

    # When using dropout we need to pass a dropout_param dictionary to each
    # dropout layer so that the layer knows the dropout probability and the mode
    # (train / test). You can pass the same dropout_param to each dropout layer.
    self.dropout_param = {}
    if self.use_dropout:
      self.dropout_param = {'mode': 'train', 'p': dropout}
      if seed is not None:
        self.dropout_param['seed'] = seed

    # With batch normalization we need to keep track of running means and
    # variances, so we need to pass a special bn_param object to each batch
    # normalization layer.
    self.bn_params = []
    if self.normalization == 'batchnorm':
      self.bn_params = [{'mode': 'train'} for i in range(self.num_layers - 1)]
    if self.normalization == 'layernorm':
      self.bn_params = [{} for i in range(self.num_layers - 1)]

    # Cast all parameters to the correct datatype
    for k, v in self.params.items():
      self.params[k] = v.astype(dtype)


  def loss(self, X, y=None):
    """
    Compute loss and gradient for the fully-connected net.
    """
    X = X.astype(self.dtype)
    mode = 'test' if y is None else 'train'

    # Set train/test mode for batchnorm params and dropout param since they
    # behave differently during training and testing.
    if self.dropout_param is not None:
      self.dropout_param['mode'] = mode
    if self.normalization == 'batchnorm':
      for bn_param in self.bn_params:
        bn_param['mode'] = mode

    scores = None

    # ================================================================ #
    # YOUR CODE HERE:
    #   Implement the forward pass of the FC net and store the output
    #   scores as the variable "scores".
    # ================================================================ #
    caches = []
    h = X
    for i in range(1, self.num_layers):
      h, fc_cache = affine_forward(h, self.params['W%d' % i], self.params['b%d' % i])
      bn_cache = None
      if self.normalization == 'layernorm':
        h, bn_cache = layernorm_forward(h, self.params['gamma%d' % i], self.params['beta%d' % i],
                                        self.bn_params[i - 1])
      elif self.normalization == 'batchnorm':
        h, bn_cache = batchnorm_forward(h, self.params['gamma%d' % i], self.params['beta%d' % i],
                                        self.bn_params[i - 1])
      h, relu_cache = relu_forward(h)
      do_cache = None
      if self.use_dropout:
        h, do_cache = dropout_forward(h, self.dropout_param)
      caches.append((fc_cache, bn_cache, relu_cache, do_cache))
    L = self.num_layers
    scores, last_cache = affine_forward(h, self.params['W%d' % L], self.params['b%d' % L])
    # ================================================================ #
    # END YOUR CODE HERE
    # ================================================================ #

    # If test mode return early
    if mode == 'test':
      return scores

    loss, grads = 0.0, {}
    # ================================================================ #
    # YOUR CODE HERE:
    #   Implement the backwards pass of the FC net and store the gradients
    #   in the grads dict, so that grads[k] is the gradient of self.params[k]
    # ================================================================ #
    loss, dscores = softmax_loss(scores, y)
    for i in range(1, L + 1):
      loss += 0.5 * self.reg * np.sum(self.params['W%d' % i] ** 2)
    dh, grads['W%d' % L], grads['b%d' % L] = affine_backward(dscores, last_cache)
    grads['W%d' % L] += self.reg * self.params['W%d' % L]
    for i in range(L - 1, 0, -1):
      fc_cache, bn_cache, relu_cache, do_cache = caches[i - 1]
      if self.use_dropout:
        dh = dropout_backward(dh, do_cache)
      dh = relu_backward(dh, relu_cache)
      if self.normalization == 'layernorm':
        dh, grads['gamma%d' % i], grads['beta%d' % i] = layernorm_backward(dh, bn_cache)
      elif self.normalization == 'batchnorm':
        dh, grads['gamma%d' % i], grads['beta%d' % i] = batchnorm_backward(dh, bn_cache)
      dh, grads['W%d' % i], grads['b%d' % i] = affine_backward(dh, fc_cache)
      grads['W%d' % i] += self.reg * self.params['W%d' % i]
    # ================================================================ #
    # END YOUR CODE HERE
    # ================================================================ #

    return loss, grads
