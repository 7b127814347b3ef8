# Stand-in for node:20-bookworm-slim (test code, see README.md).
FROM rt-standin/debian:bookworm
COPY ca-certificates/ /usr/local/share/rt-standin-ca/
COPY node/ /usr/local/
RUN cat /usr/local/share/rt-standin-ca/*.crt > /usr/local/share/rt-standin-ca/bundle.pem \
 && ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && node --version && npm --version
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/rt-standin-ca/bundle.pem \
    NODE_VERSION=20
CMD ["node"]
