import numpy as np

"""
The course's im2col helpers in numpy. Rows of a column matrix are (channel, filter row, filter column),
its columns (output row, output column, image): im2col_indices(x, fh, fw, padding, stride) has shape
(C * fh * fw, out_h * out_w * N); col2im_indices adds every column back where it came from.
"""


def get_im2col_indices(x_shape, field_height, field_width, padding=1, stride=1):
  _, C, H, W = x_shape
  out_h = (H + 2 * padding - field_height) // stride + 1
  out_w = (W + 2 * padding - field_width) // stride + 1
  c, a, e = np.meshgrid(np.arange(C), np.arange(field_height), np.arange(field_width), indexing='ij')
  rows, cols = np.meshgrid(np.arange(out_h), np.arange(out_w), indexing='ij')
  k = c.reshape(-1, 1)
  i = a.reshape(-1, 1) + stride * rows.reshape(1, -1)
  j = e.reshape(-1, 1) + stride * cols.reshape(1, -1)
  return k, i, j


def im2col_indices(x, field_height, field_width, padding=1, stride=1):
  p = padding
  padded = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), mode='constant')
  k, i, j = get_im2col_indices(x.shape, field_height, field_width, padding, stride)
  return padded[:, k, i, j].transpose(1, 2, 0).reshape(k.shape[0], -1)


def col2im_indices(cols, x_shape, field_height=3, field_width=3, padding=1, stride=1):
  N, C, H, W = x_shape
  p = padding
  padded = np.zeros((N, C, H + 2 * p, W + 2 * p), dtype=cols.dtype)
  k, i, j = get_im2col_indices(x_shape, field_height, field_width, padding, stride)
  per_image = cols.reshape(k.shape[0], -1, N).transpose(2, 0, 1)
  np.add.at(padded, (slice(None), k, i, j), per_image)
  return padded[:, :, p:p + H, p:p + W]
