"""`orders load` and `orders chaos`: many orders on a mix of paths, each knowing the end state it must reach,
then the figures (orders/s, percentiles of the cancel update and of each stage) and a verdict that adds the
audit's. The paths are driven by the scenarios' pieces (starter.scenarios), never copies of them.
"""
