package dev.velocitypreview.core.topic;

import org.apache.kafka.common.serialization.Serdes;

import dev.velocitypreview.core.activity.SessionActivity;
import dev.velocitypreview.core.activity.SessionActivityCodec;
import dev.velocitypreview.core.cleanup.CleanupCodec;
import dev.velocitypreview.core.cleanup.CleanupReport;
import dev.velocitypreview.core.cleanup.CleanupRequest;
import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.command.SessionCommandCodec;
import dev.velocitypreview.core.edits.EditCodec;
import dev.velocitypreview.core.edits.ProjectFileNotice;
import dev.velocitypreview.core.edits.SessionEditReport;
import dev.velocitypreview.core.files.FileCodec;
import dev.velocitypreview.core.files.FileCommand;
import dev.velocitypreview.core.files.FileOutcome;
import dev.velocitypreview.core.files.FileTopics;
import dev.velocitypreview.core.session.SessionRowCodec;
import dev.velocitypreview.core.session.SessionView;

/**
 * Every topic of the platform. The session topics are keyed by the session id, the file topics by the project id,
 * each in its canonical UUID text form (the cleanup request and report topics by nothing).
 */
public final class Topics {

    /** Every {@link SessionCommand} kind; one topic so a session's commands stay in order. */
    public static final Topic<String, SessionCommand> SESSION_COMMANDS = new Topic<>(
            "preview.session-commands", Serdes.String(),
            new CodecSerde<>(SessionCommandCodec::encode, SessionCommandCodec::decode));

    /** The changelog of {@code preview_sessions}: flattened rows, tombstones on delete; compacted. */
    public static final Topic<String, SessionView> SESSIONS = new Topic<>(
            "preview.sessions", Serdes.String(),
            new CodecSerde<>(SessionRowCodec::encode, SessionRowCodec::decode));

    /**
     * Commands the provisioner could not read or apply, byte for byte, with spring-kafka's standard
     * {@code kafka_dlt-*} headers (original topic, partition, offset, exception class and message).
     */
    public static final Topic<String, byte[]> SESSION_COMMANDS_DLT = new Topic<>(
            "preview.session-commands-dlt", Serdes.String(), Serdes.ByteArray());

    /**
     * Routers' sightings of sessions in use, throttled per session and router; cleanup's input for idle
     * suspend. Cleanup creates it with as many partitions as {@link #SESSIONS}, which it is read beside.
     */
    public static final Topic<String, SessionActivity> SESSION_ACTIVITY = new Topic<>(
            "preview.session-activity", Serdes.String(),
            new CodecSerde<>(SessionActivityCodec::encode, SessionActivityCodec::decode));

    /**
     * Requests for a cleanup pass now, one per partition (a partition's sessions belong to the cleanup
     * instance that owns it); keyed by nothing. Cleanup creates it with as many partitions as {@link #SESSIONS}.
     */
    public static final Topic<String, CleanupRequest> CLEANUP_REQUESTS = new Topic<>(
            "preview.cleanup-requests", Serdes.String(),
            new CodecSerde<>(CleanupCodec::encodeRequest, CleanupCodec::decodeRequest));

    /** Cleanup's answers to {@link #CLEANUP_REQUESTS}, one report per partition, correlated by spring-kafka's headers. */
    public static final Topic<String, CleanupReport> CLEANUP_REPORTS = new Topic<>(
            "preview.cleanup-reports", Serdes.String(),
            new CodecSerde<>(CleanupCodec::encodeReport, CleanupCodec::decodeReport));

    /**
     * Changes to a project's files ({@link FileCommand}), keyed by project id so one project's writes are applied
     * in order; the provisioner applies them and answers on {@link #PROJECT_FILE_REPLIES}. Created by
     * {@link FileTopics} with room for a large file.
     */
    public static final Topic<String, FileCommand> PROJECT_FILE_COMMANDS = new Topic<>(
            "preview.project-file-commands", Serdes.String(),
            new CodecSerde<>(FileCodec::encodeCommand, FileCodec::decodeCommand));

    /** The provisioner's {@link FileOutcome}s, correlated with their command by spring-kafka's request/reply headers. */
    public static final Topic<String, FileOutcome> PROJECT_FILE_REPLIES = new Topic<>(
            "preview.project-file-replies", Serdes.String(),
            new CodecSerde<>(FileCodec::encodeOutcome, FileCodec::decodeOutcome));

    /**
     * The changelog of {@code project_files} as {@link ProjectFileNotice}s (which file, which version, removed or
     * not; no content), keyed by project id; written by the CDC relay. The session API reads it to wake the syncs of
     * that project's machines.
     */
    public static final Topic<String, ProjectFileNotice> PROJECT_FILES = new Topic<>(
            "preview.project-files", Serdes.String(),
            new CodecSerde<>(EditCodec::encodeNotice, EditCodec::decodeNotice));

    /**
     * What preview machines made of the files they synced ({@link SessionEditReport}), keyed by session id; the
     * session API writes them as machines report and every API instance reads them all.
     */
    public static final Topic<String, SessionEditReport> SESSION_EDITS = new Topic<>(
            "preview.session-edits", Serdes.String(),
            new CodecSerde<>(EditCodec::encodeReport, EditCodec::decodeReport));

    /** The CDC relay's source offsets (the replication slot position); compacted. */
    public static final String CDC_OFFSETS = "preview.cdc-offsets";

    private Topics() {
    }
}
