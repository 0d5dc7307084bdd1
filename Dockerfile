# One image for every process: `orders worker` (default), `orders sandbox` and `orders api`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    ORDERS_VAR_DIR=/data

WORKDIR /app
COPY . .
RUN pip install --no-cache-dir .

# /data exists and belongs to the app user in the image, so a named volume mounted there
# is initialised with that owner and the non-root process can write the inventory database.
RUN useradd --create-home --uid 10001 app \
    && mkdir -p /data \
    && chown app:app /data
USER app

EXPOSE 8088 8000
CMD ["orders", "worker"]
