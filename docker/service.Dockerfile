# One image per service: docker build --build-arg MODULE=router -f docker/service.Dockerfile .
FROM maven:3.9-eclipse-temurin-17 AS build
ARG MODULE
WORKDIR /src
COPY . .
RUN mvn -B -ntp -DskipTests -pl ${MODULE} -am package \
 && mkdir -p /out/lib \
 && cp ${MODULE}/target/${MODULE}-*-exec.jar /out/app.jar

FROM eclipse-temurin:17-jre
ARG MODULE
ENV MODULE=${MODULE}
WORKDIR /app
COPY --from=build /out/app.jar /app/app.jar
RUN useradd --system --uid 10001 velocity && chown -R velocity /app
USER velocity
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/app.jar"]
