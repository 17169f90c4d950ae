package dev.herald.support;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.BeanSerializerModifier;

import io.quarkus.jackson.ObjectMapperCustomizer;

/**
 * Records every class Jackson builds a bean serializer or deserializer for in the application
 * under test: the classes whose fields and constructors a native image must be told about.
 */
@Singleton
public class JacksonBeans implements ObjectMapperCustomizer {

    private static final Set<Class<?>> SEEN = ConcurrentHashMap.newKeySet();

    /** Every class seen so far in this JVM, by any test. */
    public static Set<Class<?>> seen() {
        return Set.copyOf(SEEN);
    }

    @Override
    public void customize(ObjectMapper mapper) {
        SimpleModule module = new SimpleModule("herald-test-bean-recorder");
        module.setSerializerModifier(new BeanSerializerModifier() {
            @Override
            public JsonSerializer<?> modifySerializer(SerializationConfig config, BeanDescription bean,
                    JsonSerializer<?> serializer) {
                SEEN.add(bean.getBeanClass());
                return serializer;
            }
        });
        module.setDeserializerModifier(new BeanDeserializerModifier() {
            @Override
            public JsonDeserializer<?> modifyDeserializer(DeserializationConfig config, BeanDescription bean,
                    JsonDeserializer<?> deserializer) {
                SEEN.add(bean.getBeanClass());
                return deserializer;
            }
        });
        mapper.registerModule(module);
    }
}
