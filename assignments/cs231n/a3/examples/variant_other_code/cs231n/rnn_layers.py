import numpy as np
from past.builtins import xrange


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(np.dot(x, Wx) + np.dot(prev_h, Wh) + b)
    cache = {'x': x, 'prev_h': prev_h, 'Wx': Wx, 'Wh': Wh, 'next_h': next_h}
    return next_h, cache


def rnn_step_backward(dnext_h, cache):
    dtanh = (1 - cache['next_h'] * cache['next_h']) * dnext_h
    dx = np.dot(dtanh, cache['Wx'].T)
    dprev_h = np.dot(dtanh, cache['Wh'].T)
    dWx = np.dot(cache['x'].T, dtanh)
    dWh = np.dot(cache['prev_h'].T, dtanh)
    db = np.sum(dtanh, axis=0)
    return dx, dprev_h, dWx, dWh, db


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    hs = [h0]
    caches = []
    for t in xrange(T):
        h, c = rnn_step_forward(x[:, t], hs[-1], Wx, Wh, b)
        hs.append(h)
        caches.append(c)
    print "rnn_forward:", T, "steps"
    return np.stack(hs[1:], axis=1), caches


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    grads = None
    dx_steps = [None] * T
    carry = 0
    for t in xrange(T - 1, -1, -1):
        step = rnn_step_backward(dh[:, t] + carry, cache[t])
        dx_steps[t], carry = step[0], step[1]
        grads = list(step[2:]) if grads is None else [g + s for g, s in zip(grads, step[2:])]
    return (np.stack(dx_steps, axis=1), carry) + tuple(grads)


def word_embedding_forward(x, W):
    out = np.take(W, x, axis=0)
    return out, (x, W)


def word_embedding_backward(dout, cache):
    x, W = cache
    dW = np.zeros_like(W)
    N, T = x.shape
    for n in xrange(N):
        for t in xrange(T):
            dW[x[n, t]] += dout[n, t]
    return dW


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    a = np.dot(x, Wx) + np.dot(prev_h, Wh) + b
    ai, af, ao, ag = np.split(a, 4, axis=1)
    i, f, o, g = sigmoid(ai), sigmoid(af), sigmoid(ao), np.tanh(ag)
    next_c = f * prev_c + i * g
    next_h = o * np.tanh(next_c)
    return next_h, next_c, dict(x=x, prev_h=prev_h, prev_c=prev_c, Wx=Wx, Wh=Wh, gates=(i, f, o, g), c=next_c)


def lstm_step_backward(dnext_h, dnext_c, cache):
    i, f, o, g = cache['gates']
    tc = np.tanh(cache['c'])
    dc = dnext_c + dnext_h * o * (1 - tc * tc)
    da = np.concatenate([dc * g * i * (1 - i), dc * cache['prev_c'] * f * (1 - f),
                         dnext_h * tc * o * (1 - o), dc * i * (1 - g * g)], axis=1)
    return (np.dot(da, cache['Wx'].T), np.dot(da, cache['Wh'].T), dc * f,
            np.dot(cache['x'].T, da), np.dot(cache['prev_h'].T, da), da.sum(0))


def lstm_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    H = h0.shape[1]
    h = np.empty((N, T, H))
    c = np.zeros((N, H))
    prev = h0
    caches = []
    for t in xrange(T):
        prev, c, cache = lstm_step_forward(x[:, t], prev, c, Wx, Wh, b)
        h[:, t] = prev
        caches.append(cache)
    return h, caches


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    dx = np.empty((N, T, cache[0]['x'].shape[1]))
    dprev_h = np.zeros((N, H))
    dprev_c = np.zeros((N, H))
    dWx = dWh = db = 0
    for t in reversed(xrange(T)):
        dx[:, t], dprev_h, dprev_c, a, bb, c = lstm_step_backward(dh[:, t] + dprev_h, dprev_c, cache[t])
        dWx, dWh, db = dWx + a, dWh + bb, db + c
    return dx, dprev_h, dWx, dWh, db


def temporal_affine_forward(x, w, b):
    out = np.einsum('ntd,dm->ntm', x, w) + b
    return out, (x, w)


def temporal_affine_backward(dout, cache):
    x, w = cache
    return np.einsum('ntm,dm->ntd', dout, w), np.einsum('ntd,ntm->dm', x, dout), dout.sum(axis=(0, 1))


def temporal_softmax_loss(x, y, mask, verbose=False):
    N, T, V = x.shape
    shifted = x - x.max(axis=2, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=2, keepdims=True))
    picked = np.take_along_axis(log_probs, y[:, :, None], axis=2)[:, :, 0]
    loss = -(picked * mask).sum() / N
    dx = np.exp(log_probs)
    onehot = np.eye(V)[y]
    dx = (dx - onehot) * mask[:, :, None] / N
    return loss, dx
