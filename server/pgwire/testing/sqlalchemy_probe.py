"""What a Python notebook does with the SQL API: SQLAlchemy's inspector and pandas over psycopg.

Run by server/pgwire/clients.int.test.ts in a throwaway virtualenv; prints one JSON object.
Usage: python sqlalchemy_probe.py URL  (the password comes from PGPASSWORD)
"""

import json
import sys

import pandas
from sqlalchemy import create_engine, inspect, text

url = sys.argv[1]
engine = create_engine(url)
out = {}
inspector = inspect(engine)
out["tables"] = inspector.get_table_names()
out["columns"] = [
    {"name": c["name"], "type": str(c["type"]), "nullable": c["nullable"]}
    for c in inspector.get_columns("encounters")
]
out["default_schema"] = inspector.default_schema_name
frame = pandas.read_sql(
    text(
        "SELECT encounterclass, count(*) AS n FROM encounters"
        " WHERE encounterclass <> :excluded GROUP BY encounterclass ORDER BY n DESC, encounterclass"
    ),
    engine,
    params={"excluded": "nothing-is-called-this"},
)
out["grouped"] = [[str(row.encounterclass), int(row.n)] for row in frame.itertuples()]
with engine.connect() as conn:
    out["measure"] = [
        [r[0], int(r[1])]
        for r in conn.execute(
            text("SELECT encounterclass, MEASURE(count) FROM encounters GROUP BY 1 ORDER BY 2 DESC, 1")
        )
    ]
print(json.dumps(out))
