# Multi-stage build: the first stage installs the pinned dependencies and trains the default model
# from data/, the second carries only the virtual environment and the bundle, and runs as non-root.
ARG BASE_IMAGE=python:3.12.8-slim-bookworm

FROM ${BASE_IMAGE} AS build
# Optional CA bundle for pip, for builds behind an intercepting proxy.
ARG PIP_CERT=""
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
RUN python3 -m venv /opt/venv
COPY pyproject.toml constraints.txt README.md ./
COPY rhetoric rhetoric
COPY service service
COPY training training
RUN if [ -z "$PIP_CERT" ]; then unset PIP_CERT; fi \
    && /opt/venv/bin/pip install --quiet -c constraints.txt .
COPY data data
RUN /opt/venv/bin/python -m training.train --data data --out /opt/models/default --jobs 2

FROM ${BASE_IMAGE} AS runtime
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin rhetoric \
    && mkdir -p /var/lib/rhetoric && chown 10001 /var/lib/rhetoric
COPY --from=build /opt/venv /opt/venv
COPY --from=build /opt/models /opt/models
# The service scores in process; JOBLIB_MULTIPROCESSING=0 skips joblib's worker-pool probe, which
# only warns where /dev/shm is missing.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    JOBLIB_MULTIPROCESSING=0 \
    RHETORIC_HOST=0.0.0.0 \
    RHETORIC_PORT=8000 \
    RHETORIC_MODEL_DIR=/opt/models/default \
    RHETORIC_FEEDBACK_DB=/var/lib/rhetoric/feedback.sqlite3
WORKDIR /opt
USER 10001
VOLUME /var/lib/rhetoric
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=15s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ['RHETORIC_PORT'] + '/readyz', timeout=2)"]
CMD ["python", "-m", "service"]
