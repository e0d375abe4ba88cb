"""Running the flow: the Prefect flow and its tasks (`pipeline`), the supervised extraction
workers (`worker`, or `dask_runner` on a cluster), and start-up (`startup`: the temporary
Prefect API, the workers' forkserver)."""
