# Stand-in for prom/prometheus:v2.53.2 (test code, see README.md), with Debian's Prometheus 2.42.
# /bin is /usr/bin on Debian 12, so /bin/prometheus is the official image's path already.
FROM rt-standin/debian:bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends prometheus \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /prometheus /etc/prometheus \
 && chown nobody:nogroup /prometheus
USER nobody
WORKDIR /prometheus
EXPOSE 9090
ENTRYPOINT ["/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
