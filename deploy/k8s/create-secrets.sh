#!/bin/sh
# Creates the two Secrets the manifests use, with freshly generated values (nothing secret is
# shipped in deploy/k8s; the service refuses placeholder or low-entropy secrets in production).
# Better still, create them from your secret store (External Secrets, Sealed Secrets, SOPS) with
# the same names and keys.
#
#   DATABASE_URL='postgres://realtime:<password>@postgres.example.internal:5432/realtime' \
#     deploy/k8s/create-secrets.sh && kubectl apply -k deploy/k8s
#
# realtime-stt-secrets: REDIS_URL (its password equals redis-auth's), DATABASE_URL (a managed
# PostgreSQL with backups is recommended) and JWT_SECRET (signs session tokens; rotate with
# JWT_KEYS=new:secret2,old:secret1). redis-auth: REDIS_PASSWORD, for the Redis StatefulSet and
# KEDA's TriggerAuthentication.
set -eu
namespace=${NAMESPACE:-realtime-stt}
: "${DATABASE_URL:?set DATABASE_URL to your PostgreSQL URL (with its own generated password)}"
redis_password=$(openssl rand -hex 32)
kubectl apply -f "$(dirname "$0")/namespace.yaml"
kubectl -n "$namespace" create secret generic redis-auth \
  --from-literal=REDIS_PASSWORD="$redis_password"
kubectl -n "$namespace" create secret generic realtime-stt-secrets \
  --from-literal=REDIS_URL="redis://:$redis_password@redis:6379" \
  --from-literal=DATABASE_URL="$DATABASE_URL" \
  --from-literal=JWT_SECRET="$(openssl rand -base64 48 | tr -d '\n')"
echo "Created secrets redis-auth and realtime-stt-secrets in namespace $namespace"
