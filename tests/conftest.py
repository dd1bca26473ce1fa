import os
import sys

# records_*.py and op_records.py are imported as top-level modules
sys.path.insert(0, os.path.dirname(__file__))
