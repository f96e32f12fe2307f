from cs231n.classifiers.k_nearest_neighbor import *
