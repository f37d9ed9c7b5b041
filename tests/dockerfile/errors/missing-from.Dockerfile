RUN echo hi
