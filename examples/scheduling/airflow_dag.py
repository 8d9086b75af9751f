"""Airflow DAG: the weekly clientlib batch, run through the CLI.

Copy this file into Airflow's ``dags/`` folder and set the Airflow Variables ``clientlib_home``
(the project checkout with its ``.venv``) and ``clientlib_reports`` (the output folder), or
edit the defaults below. The task calls ``clientlib reports run`` (Airflow and clientlib need
not share an environment): exit code 0 = every report rendered; 1 = some report failed or timed
out (the task fails, and the manifest says which); 2 = bad config or a locked folder.
``--date {{ ds }}`` names the files after the run's logical date, so a backfill writes that
week's files and a retry with ``--skip-existing`` finishes a half-done run.
"""

from __future__ import annotations

import datetime as dt

from airflow import DAG

try:  # Airflow 3
    from airflow.providers.standard.operators.bash import BashOperator
except ImportError:  # Airflow 2
    from airflow.operators.bash import BashOperator

HOME = "{{ var.value.get('clientlib_home', '/srv/clientlib') }}"
OUTPUT = "{{ var.value.get('clientlib_reports', '/srv/reports/weekly') }}"

with DAG(
    dag_id="clientlib_weekly_reports",
    description="Customer classification reports (clientlib reports run)",
    schedule="30 6 * * 1",
    start_date=dt.datetime(2025, 1, 6),
    catchup=False,
    max_active_runs=1,  # the output folder's lock would refuse a second run anyway
    default_args={"retries": 1, "retry_delay": dt.timedelta(minutes=10)},
    tags=["clientlib", "reports"],
) as dag:
    BashOperator(
        task_id="render_reports",
        bash_command=(
            f"cd {HOME} && .venv/bin/clientlib reports run examples/reports.yml "
            f"--output {OUTPUT} --date {{{{ ds }}}} --skip-existing --log-json"
        ),
        execution_timeout=dt.timedelta(hours=2),
    )
