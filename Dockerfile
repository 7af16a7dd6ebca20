# KeyBridge server image: SDK stage builds, runtime stage runs as a non-root user.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props OpenG2P.KeyBridge.sln ./
COPY src/ src/
RUN dotnet publish src/OpenG2P.KeyBridge.Server/OpenG2P.KeyBridge.Server.csproj -c Release -o /app --no-self-contained

FROM mcr.microsoft.com/dotnet/aspnet:10.0
RUN apt-get update \
 && apt-get install -y --no-install-recommends softhsm2 opensc curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home /var/lib/keybridge keybridge \
 && mkdir -p /var/lib/keybridge/data /var/lib/keybridge/tokens \
 && chown -R keybridge /var/lib/keybridge
WORKDIR /app
COPY --from=build /app ./
COPY docker/entrypoint.sh /usr/local/bin/keybridge-entrypoint
USER keybridge
ENV Urls=http://0.0.0.0:8080 \
    Storage__DataDirectory=/var/lib/keybridge/data \
    SOFTHSM2_CONF=/var/lib/keybridge/softhsm2.conf
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD curl -fsS http://127.0.0.1:8080/health/ready || exit 1
ENTRYPOINT ["/usr/local/bin/keybridge-entrypoint"]
