# One image per service: docker build --build-arg MODULE=router -f docker/service.Dockerfile .
FROM maven:3.9-eclipse-temurin-17 AS build
ARG MODULE
WORKDIR /src
COPY . .
# The exec jar is extracted into a thin jar plus lib/: it starts faster, and the provisioner's local
# machine driver can hand its preview machines just the runtime's jars from lib/.
RUN mvn -B -ntp -DskipTests -pl ${MODULE} -am package \
 && cp ${MODULE}/target/${MODULE}-*-exec.jar /tmp/app.jar \
 && java -Djarmode=tools -jar /tmp/app.jar extract --destination /out

FROM eclipse-temurin:17-jre
ARG MODULE
ENV MODULE=${MODULE}
WORKDIR /app
COPY --from=build /out/ /app/
RUN useradd --system --uid 10001 velocity && chown -R velocity /app
USER velocity
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/app.jar"]
