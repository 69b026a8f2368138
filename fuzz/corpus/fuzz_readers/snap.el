# SNAP style
# Nodes: 4 Edges: 5
0 1
1	2
2 0
3 3

% other comment
0 2
