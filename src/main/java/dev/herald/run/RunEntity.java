package dev.herald.run;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.ColumnTransformer;

/**
 * A row of the runs table as Hibernate Reactive maps it: one pass over a campaign's audience,
 * with the progress of its chunks. {@link RunRepository} is its one writer.
 */
@Entity
@Table(name = "runs")
public class RunEntity {

    @Id
    public UUID id;

    @Column(name = "campaign_id")
    public UUID campaignId;

    @Enumerated(EnumType.STRING)
    public RunKind kind;

    /** Set for scheduled runs only. */
    @Column(name = "fire_time")
    public Instant fireTime;

    /** STARTED or SKIPPED; what the API shows is derived from it and the run's progress. */
    @Enumerated(EnumType.STRING)
    public RunStatus status;

    /** Entries made, once the last chunk is written. */
    @Column(name = "audience_size")
    public Integer audienceSize;

    /** The {@code data} of a send, which templates read as {@code trigger}. */
    @ColumnTransformer(read = "data::text", write = "?::text::jsonb")
    public String data;

    /** The users a send was narrowed to; null: the whole audience. */
    @Column(name = "user_ids")
    public String[] userIds;

    /** The last user id written. */
    public String cursor;

    @Column(name = "users_written")
    public int usersWritten;

    public int entered;

    /** True until the last chunk is written. */
    public boolean writing;

    @Column(name = "created_at")
    public Instant createdAt;
}
